import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson } from './json';
import { ProblemError, sendProblem } from './problem';
import { createHostRouter, findRoute, type HostRouter, type HostRouteScope } from './router';
import { parseRouteTemplate } from './routeTemplate';

/** Serves `router` on a free port; a request no scope owns gets 599, a handler's crash 500. */
async function serve(router: HostRouter): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    router
      .handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'))
      .then((handled) => {
        if (!handled) res.writeHead(599).end();
      })
      .catch((err: Error) => res.writeHead(500).end(JSON.stringify({ error: err.message })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const echo: HostRouteScope['routes'][number]['handle'] = ({ req, res, params }) =>
  sendJson(res, 200, { method: req.method, params });

const things: HostRouteScope = {
  base: '/runtime/things',
  routes: [
    { method: 'GET', path: 'items', handle: ({ res }) => sendJson(res, 200, { list: true }) },
    { method: 'DELETE', path: 'items', handle: ({ res }) => sendJson(res, 200, { purged: true }) },
    { method: 'GET', path: 'items/{id}', handle: echo },
    { method: 'GET', path: 'items/latest', handle: ({ res }) => sendJson(res, 200, { latest: true }) },
    { method: 'POST', path: 'items/{id}/{command}', handle: echo },
    { method: 'GET', path: 'groups/{name?}', handle: echo },
    { method: '*', path: 'hook', handle: echo },
    {
      method: 'GET',
      path: 'fail/{kind}',
      handle: ({ params }) => {
        if (params.kind === 'problem')
          throw new ProblemError(
            { status: 400, title: 'Bad Request', detail: 'no good' },
            { 'x-why': 'test' },
          );
        throw new Error('boom');
      },
    },
  ],
  notFound: ({ res, url }) =>
    sendProblem(res, { status: 404, title: 'Not Found', detail: `nothing at ${url.pathname}` }),
};

const quiet: HostRouteScope = {
  base: '/runtime/quiet',
  routes: [{ method: 'GET', path: '', handle: ({ res }) => sendJson(res, 200, { quiet: true }) }],
  methodNotAllowed: ({ res }, allow) =>
    sendProblem(res, { status: 405, title: 'Method Not Allowed', detail: `Use ${allow.join(', ')}.` }),
};

const relaxed: HostRouteScope = {
  base: '/.Auth',
  caseSensitive: false,
  routes: [{ method: 'GET', path: 'me', handle: ({ res }) => sendJson(res, 200, { me: true }) }],
};

describe('the host router', () => {
  let server: { url: string; close: () => Promise<void> };
  const call = async (
    path: string,
    method = 'GET',
  ): Promise<{ status: number; headers: Headers; body: unknown }> => {
    const res = await fetch(`${server.url}${path}`, { method });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
  };

  beforeAll(async () => {
    server = await serve(createHostRouter([things, quiet, relaxed]));
  });
  afterAll(() => server.close());

  test('hands a route its decoded values', async () => {
    expect(await call('/runtime/things/items/a%2Fb%20c')).toMatchObject({
      status: 200,
      body: { method: 'GET', params: { id: 'a/b c' } },
    });
  });

  test('picks the route for the method among routes of one template', async () => {
    expect((await call('/runtime/things/items')).body).toEqual({ list: true });
    expect((await call('/runtime/things/items', 'DELETE')).body).toEqual({ purged: true });
  });

  test('prefers a literal over a parameter, whatever the order they were given in', async () => {
    expect((await call('/runtime/things/items/latest')).body).toEqual({ latest: true });
  });

  test('fills an optional parameter when present and leaves it out when not', async () => {
    expect((await call('/runtime/things/groups')).body).toMatchObject({ params: {} });
    expect((await call('/runtime/things/groups/admins')).body).toMatchObject({ params: { name: 'admins' } });
  });

  test('answers every method on a `*` route', async () => {
    for (const method of ['GET', 'POST', 'OPTIONS', 'PATCH'])
      expect((await call('/runtime/things/hook', method)).body).toMatchObject({ method });
  });

  test('counts repeated slashes as one and ignores a trailing slash', async () => {
    expect((await call('/runtime/things//items/7/')).body).toMatchObject({ params: { id: '7' } });
  });

  test('answers 405 with the allowed methods of every route matching the path, in order', async () => {
    const res = await call('/runtime/things/items', 'PUT');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, DELETE');
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(res.body).toEqual({
      type: 'about:blank',
      status: 405,
      title: 'Method Not Allowed',
      detail: 'PUT is not allowed on /runtime/things/items; allowed: GET, DELETE.',
      instance: '/runtime/things/items',
    });
  });

  test('lets a scope word its own 405', async () => {
    expect(await call('/runtime/quiet', 'POST')).toMatchObject({
      status: 405,
      body: { detail: 'Use GET.' },
    });
  });

  test("answers a path of the scope that no route serves with the scope's notFound", async () => {
    expect(await call('/runtime/things/nothing/here')).toMatchObject({
      status: 404,
      body: { detail: 'nothing at /runtime/things/nothing/here' },
    });
    expect((await call('/runtime/things')).status).toBe(404);
  });

  test('matches literals case-sensitively, the base included', async () => {
    expect((await call('/runtime/things/Items')).status).toBe(404);
    expect((await call('/runtime/Things/items')).status).toBe(599);
  });

  test('ignores case in a scope that asks for it', async () => {
    expect((await call('/.auth/ME')).body).toEqual({ me: true });
    expect((await call('/.AUTH/me')).body).toEqual({ me: true });
  });

  test('leaves paths outside its scopes, and unserved paths of a scope without notFound, to others', async () => {
    expect((await call('/runtime/thingsandmore/items')).status).toBe(599);
    expect((await call('/api/items')).status).toBe(599);
    expect((await call('/runtime/quiet/deeper')).status).toBe(599);
    expect((await call('/runtime/quiet/')).body).toEqual({ quiet: true });
  });

  test('answers a thrown ProblemError as its problem, the path as instance', async () => {
    const res = await call('/runtime/things/fail/problem');
    expect(res.status).toBe(400);
    expect(res.headers.get('x-why')).toBe('test');
    expect(res.body).toEqual({
      type: 'about:blank',
      status: 400,
      title: 'Bad Request',
      detail: 'no good',
      instance: '/runtime/things/fail/problem',
    });
  });

  test('lets any other error through to the caller', async () => {
    expect(await call('/runtime/things/fail/crash')).toMatchObject({ status: 500, body: { error: 'boom' } });
  });
});

describe('findRoute', () => {
  const route = (
    path: string,
    methods?: string[],
  ): { template: ReturnType<typeof parseRouteTemplate>; methods?: string[] } => ({
    template: parseRouteTemplate(path),
    methods,
  });

  test('gives the first route whose path and method match, with its values', () => {
    const routes = [route('a/{id}', ['GET']), route('a/{id}', ['POST'])];
    expect(findRoute(routes, 'post', '/a/1')).toEqual({
      kind: 'match',
      route: routes[1],
      params: { id: '1' },
    });
  });

  test('collects the methods of the routes whose path matches, without repeats', () => {
    const routes = [
      route('a/{id:int}', ['GET', 'PUT']),
      route('a/{id}', ['PUT', 'DELETE']),
      route('b', ['POST']),
    ];
    expect(findRoute(routes, 'POST', '/a/1')).toEqual({
      kind: 'methodNotAllowed',
      allow: ['GET', 'PUT', 'DELETE'],
    });
  });

  test('takes a route without methods for every method, and knows no path it has no route for', () => {
    const routes = [route('any')];
    expect(findRoute(routes, 'PATCH', '/any')).toMatchObject({ kind: 'match' });
    expect(findRoute(routes, 'GET', '/other')).toEqual({ kind: 'notFound' });
  });
});
