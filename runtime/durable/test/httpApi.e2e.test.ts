import fc from 'fast-check';
import type { TestHost } from '../../testHost';
import { API, CHECK_STATUS_URIS, raise, run, start, startDurableHost, status } from './helpers';

describe('Durable HTTP API', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startDurableHost();
  });
  afterAll(async () => {
    await host.stop();
  });

  const post = (path: string, body?: string): Promise<Response> =>
    host.fetch(`${API}/${path}`, {
      method: 'POST',
      body: body ?? '',
      headers: { 'content-type': 'application/json' },
    });

  test('POST orchestrators/{fn} answers 202 with the check-status payload and a Location', async () => {
    const res = await post('orchestrators/HelloCities', JSON.stringify(['Rome']));
    expect(res.status).toBe(202);
    const body = (await res.json()) as Record<string, string>;
    expect(res.headers.get('location')).toBe(body.statusQueryGetUri);
    expect(body.id).toMatch(/^[0-9a-f]{32}$/);
    for (const key of CHECK_STATUS_URIS) {
      expect(body[key]).toContain(`${host.baseUrl}${API}/instances/${body.id}`);
    }
    expect(body.sendEventPostUri).toContain('/raiseEvent/{eventName}?taskHub=FixtureHub');
    await host.waitForIdle();
    expect(await status(host, body.id)).toMatchObject({
      runtimeStatus: 'Completed',
      input: ['Rome'],
      output: ['Hello Rome!'],
    });
  });

  test('POST orchestrators/{fn}/{id} uses the id; a running id is a 409, a finished one restarts', async () => {
    expect(await start(host, 'Status', undefined, 'fixed-id')).toBe('fixed-id');
    const again = await post('orchestrators/Status/fixed-id');
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(await raise(host, 'fixed-id', 'Go', 1)).toBe(202);
    await host.waitForIdle();
    expect((await post('orchestrators/HelloCities/fixed-id', '["Bern"]')).status).toBe(202);
    await host.waitForIdle();
    expect(await status(host, 'fixed-id')).toMatchObject({
      name: 'HelloCities',
      runtimeStatus: 'Completed',
      output: ['Hello Bern!'],
    });
  });

  test('start rejects unknown functions, non-orchestrators, bad JSON and bad ids with 400', async () => {
    for (const [path, body] of [
      ['orchestrators/NoSuchThing', ''],
      ['orchestrators/SayHello', ''],
      ['orchestrators/HelloCities', '{not json'],
      ['orchestrators/HelloCities/bad%23id', ''],
    ]) {
      const res = await post(path, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { title: string }).title).toBe('Bad Request');
    }
  });

  test('GET instances/{id} is 202 with Location and Retry-After while running, 200 when done, 404 when unknown', async () => {
    const id = await start(host, 'Status', { hello: 'world' });
    await host.waitForIdle();
    const running = await host.fetch(`${API}/instances/${id}`);
    expect(running.status).toBe(202);
    expect(running.headers.get('location')).toContain(`${API}/instances/${id}`);
    expect(running.headers.get('retry-after')).toBe('5');
    const body = (await running.json()) as Record<string, unknown>;
    expect(body).toEqual({
      name: 'Status',
      instanceId: id,
      runtimeStatus: 'Running',
      input: { hello: 'world' },
      customStatus: { stage: 'waiting', greeting: 'Hello Status!' },
      output: null,
      createdTime: '2026-01-01T00:00:00Z',
      lastUpdatedTime: expect.stringMatching(/^2026-01-01T00:00:00Z$/),
    });
    const noInput = (await (await host.fetch(`${API}/instances/${id}?showInput=false`)).json()) as Record<
      string,
      unknown
    >;
    expect(noInput.input).toBeNull();
    await raise(host, id, 'Go', 'now');
    await host.waitForIdle();
    const done = await host.fetch(`${API}/instances/${id}?showHistory=true&showHistoryOutput=true`);
    expect(done.status).toBe(200);
    const finished = (await done.json()) as { historyEvents: Array<Record<string, unknown>> };
    expect(finished.historyEvents.map((e) => e.EventType)).toEqual([
      'ExecutionStarted',
      'TaskCompleted',
      'EventRaised',
      'ExecutionCompleted',
    ]);
    expect(finished.historyEvents[1]).toMatchObject({
      FunctionName: 'SayHello',
      Result: 'Hello Status!',
      ScheduledTime: expect.any(String),
    });
    expect(finished.historyEvents[3]).toMatchObject({ OrchestrationStatus: 'Completed', Result: 'now' });
    const withoutOutput = (await (await host.fetch(`${API}/instances/${id}?showHistory=true`)).json()) as {
      historyEvents: Array<Record<string, unknown>>;
    };
    expect(withoutOutput.historyEvents[1]).not.toHaveProperty('Result');

    const unknown = await host.fetch(`${API}/instances/nobody-home`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect((await host.fetch(`${API}/instances/${id}?showHistory=maybe`)).status).toBe(400);
  });

  test('raiseEvent answers 202 while running, 404 for an unknown instance, 410 once finished, 400 for bad JSON', async () => {
    const id = await start(host, 'Status');
    await host.waitForIdle();
    expect((await post(`instances/${id}/raiseEvent/Go`, '{broken')).status).toBe(400);
    expect(await raise(host, id, 'Go', { ok: true })).toBe(202);
    await host.waitForIdle();
    expect((await status(host, id)).output).toEqual({ ok: true });
    expect(await raise(host, id, 'Go', 1)).toBe(410);
    expect(await raise(host, 'no-such-instance', 'Go', 1)).toBe(404);
  });

  test('an event raised before the orchestration waits for it is kept and delivered when awaited', async () => {
    const id = await start(host, 'Status');
    expect(await raise(host, id, 'Go', 'early')).toBe(202);
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Completed', output: 'early' });
  });

  test('terminate ends a running instance with the reason as output; 404 unknown, 410 finished', async () => {
    const id = await start(host, 'Approval');
    await host.waitForIdle();
    const res = await post(`instances/${id}/terminate?reason=${encodeURIComponent('changed my mind')}`);
    expect(res.status).toBe(202);
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Terminated', output: 'changed my mind' });
    expect(
      (
        host.db.prepare('SELECT COUNT(*) AS n FROM durable_timers WHERE instance_id = ?').get(id) as {
          n: number;
        }
      ).n,
    ).toBe(0);
    expect((await post(`instances/${id}/terminate?reason=again`)).status).toBe(410);
    expect((await post('instances/nobody/terminate?reason=x')).status).toBe(404);
  });

  test('list filters by status, creation time and id prefix, and pages with x-ms-continuation-token', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await start(host, 'HelloCities', [`C${i}`], `list-${i}`));
    await start(host, 'Status', undefined, 'list-running');
    await host.waitForIdle();

    const seen: Array<Record<string, unknown>> = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const res: Response = await host.fetch(
        `${API}/instances/?instanceIdPrefix=list-&runtimeStatus=Completed&top=2&showInput=false`,
        {
          headers: token ? { 'x-ms-continuation-token': token } : {},
        },
      );
      expect(res.status).toBe(200);
      seen.push(...((await res.json()) as Array<Record<string, unknown>>));
      token = res.headers.get('x-ms-continuation-token');
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen.map((s) => s.instanceId)).toEqual(ids);
    expect(seen.every((s) => s.input === null && s.runtimeStatus === 'Completed')).toBe(true);

    const running = (await (
      await host.fetch(`${API}/instances?instanceIdPrefix=list-&runtimeStatus=Running,Pending&showInput=true`)
    ).json()) as Array<Record<string, unknown>>;
    expect(running.map((s) => s.instanceId)).toEqual(['list-running']);
    const future = (await (
      await host.fetch(`${API}/instances?createdTimeFrom=2030-01-01T00:00:00Z`)
    ).json()) as unknown[];
    expect(future).toEqual([]);

    for (const query of ['runtimeStatus=Sleeping', 'createdTimeFrom=yesterday', 'top=0', 'top=abc']) {
      expect((await host.fetch(`${API}/instances?${query}`)).status).toBe(400);
    }
    expect(
      (await host.fetch(`${API}/instances`, { headers: { 'x-ms-continuation-token': 'garbage' } })).status,
    ).toBe(400);
  });

  test('DELETE instances/{id} purges a finished instance; an unknown one is 404', async () => {
    const done = await run(host, 'HelloCities', ['Purge']);
    const res = await host.fetch(`${API}/instances/${done.instanceId}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ instancesDeleted: 1 });
    expect((await host.fetch(`${API}/instances/${done.instanceId}`)).status).toBe(404);
    expect((await host.fetch(`${API}/instances/${done.instanceId}`, { method: 'DELETE' })).status).toBe(404);
  });

  test('DELETE instances/?filter purges the matching finished instances', async () => {
    await run(host, 'HelloCities', ['A'], 'bulk-1');
    await run(host, 'HelloCities', ['B'], 'bulk-2');
    const res = await host.fetch(
      `${API}/instances/?createdTimeFrom=2025-01-01T00:00:00Z&runtimeStatus=Completed`,
      { method: 'DELETE' },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { instancesDeleted: number }).instancesDeleted).toBeGreaterThanOrEqual(2);
    expect((await host.fetch(`${API}/instances/bulk-1`)).status).toBe(404);
    const none = await host.fetch(
      `${API}/instances/?createdTimeFrom=2025-01-01T00:00:00Z&runtimeStatus=Completed`,
      { method: 'DELETE' },
    );
    expect(none.status).toBe(404);
  });

  test('restart starts a new instance with the same input', async () => {
    const first = await run(host, 'HelloCities', ['Again']);
    const res = await post(`instances/${first.instanceId}/restart`);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect(id).not.toBe(first.instanceId);
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Again!'] });
  });

  test('wrong methods are 405 with Allow, unknown routes 404, unsupported operations 501', async () => {
    const wrong = await host.fetch(`${API}/orchestrators/HelloCities`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await host.fetch(`${API}/instances/x`, { method: 'PUT' })).status).toBe(405);
    expect((await host.fetch(`${API}/nonsense`)).status).toBe(404);
    expect((await post('instances/x/suspend?reason=r')).status).toBe(404);
    expect((await host.fetch(`${API}/entities/counter/one`)).status).toBe(404);
  });

  test('routes as the extension does: commands share one route, literals are case-sensitive, odd paths are 4xx', async () => {
    const problem = async (res: Response): Promise<Record<string, unknown>> =>
      (await res.json()) as Record<string, unknown>;
    const otherMethod = await host.fetch(`${API}/instances/x/anything`);
    expect(otherMethod.status).toBe(405);
    expect(otherMethod.headers.get('allow')).toBe('POST');
    const unknownCommand = await post('instances/x/anything');
    expect(unknownCommand.status).toBe(404);
    expect(await problem(unknownCommand)).toEqual({
      type: 'about:blank',
      status: 404,
      title: 'Not Found',
      detail: `No durable API route matches ${API}/instances/x/anything.`,
      instance: `${API}/instances/x/anything`,
    });
    const put = await host.fetch(`${API}/instances`, { method: 'PUT' });
    expect(put.headers.get('allow')).toBe('GET, DELETE');
    expect(await problem(put)).toEqual({
      type: 'about:blank',
      status: 405,
      title: 'Method Not Allowed',
      detail: 'PUT is not allowed here; allowed: GET, DELETE.',
    });
    const malformed = await host.fetch(`${API}/instances/%E0`);
    expect(malformed.status).toBe(400);
    expect(await problem(malformed)).toMatchObject({
      detail: "Malformed URL segment '%E0'.",
      instance: `${API}/instances/%E0`,
    });
    const doubled = await host.fetch(`${API}//instances//nobody/`);
    expect(doubled.status).toBe(404);
    expect(await problem(doubled)).toMatchObject({ detail: "No instance with ID 'nobody' found." });
    const capital = await host.fetch(`${API}/Instances`);
    expect(await problem(capital)).toMatchObject({
      status: 404,
      detail: `No durable API route matches ${API}/Instances.`,
    });
    const otherBase = await host.fetch('/runtime/webhooks/DurableTask/instances');
    expect(await problem(otherBase)).toMatchObject({
      status: 404,
      detail: 'No function serves /runtime/webhooks/DurableTask/instances.',
    });
    const rpc = await host.fetch('/runtime/durabletask-rpc/instances/nobody');
    expect(rpc.status).toBe(404);
    expect(await problem(rpc)).toMatchObject({ detail: "No instance with ID 'nobody' found." });
  });

  test('arbitrary paths, queries and bodies get a 2xx or a 4xx/501 problem, never a 500', async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'orchestrators',
        'instances',
        'raiseEvent',
        'terminate',
        'restart',
        'HelloCities',
        'Status',
        'list-0',
      ),
      fc.string({ maxLength: 12 }),
    );
    const query = fc.dictionary(
      fc.constantFrom(
        'runtimeStatus',
        'top',
        'createdTimeFrom',
        'createdTimeTo',
        'showHistory',
        'showInput',
        'reason',
        'instanceIdPrefix',
      ),
      fc.string({ maxLength: 10 }),
      { maxKeys: 3 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { maxLength: 4 }),
        query,
        fc.constantFrom('GET', 'POST', 'DELETE', 'PUT'),
        fc.string({ maxLength: 20 }),
        async (segments, params, method, body) => {
          const path = segments.map(encodeURIComponent).join('/');
          const search = new URLSearchParams(params).toString();
          const res = await host.fetch(`${API}/${path}${search ? `?${search}` : ''}`, {
            method,
            ...(method === 'GET' ? {} : { body }),
          });
          const text = await res.text();
          expect(res.status).not.toBe(500);
          if (res.status >= 400)
            expect(JSON.parse(text)).toMatchObject({ status: res.status, title: expect.any(String) });
        },
      ),
      { numRuns: 150 },
    );
    await host.waitForIdle();
    // 150 requests take about a second, five on a loaded 2-core machine: jest's default 5 s is too tight.
  }, 30_000);
});
