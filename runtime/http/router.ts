/**
 * The host's one router, on Azure's route templates (`routeTemplate.ts`). `findRoute` looks a path
 * up in a table of templates and methods: the app's HTTP triggers (`httpRoutes.ts`) and the host
 * services' own `/runtime/...` routes, which `createHostRouter` serves.
 *
 * @example
 * const router = createHostRouter([
 *   {
 *     base: '/runtime/things',
 *     routes: [{ method: 'GET', path: 'items/{id}', handle: ({ res, params }) => sendJson(res, 200, params) }],
 *     notFound: ({ res }) => sendProblem(res, { status: 404, title: 'Not Found' }),
 *   },
 * ]);
 * await router.handle(req, res, url); // true: the path is under /runtime/things
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProblemError, sendProblem } from './problem';
import { compareRoutePrecedence, matchRoute, parseRouteTemplate, type RouteTemplate } from './routeTemplate';

/** What a route table holds: a parsed template and its upper-case methods (undefined: every method). */
export interface Routable {
  template: RouteTemplate;
  methods?: readonly string[];
}

export type RouteLookup<R extends Routable> =
  | { kind: 'match'; route: R; params: Record<string, string> }
  | { kind: 'methodNotAllowed'; allow: string[] }
  | { kind: 'notFound' };

/**
 * Looks `pathname` up in `routes` (most specific first, see `byPrecedence`): the first route whose
 * template and method match wins; else the methods of the routes whose template matches, in order.
 */
export function findRoute<R extends Routable>(
  routes: readonly R[],
  method: string,
  pathname: string,
): RouteLookup<R> {
  const upper = method.toUpperCase();
  const allow: string[] = [];
  for (const route of routes) {
    const params = matchRoute(route.template, pathname);
    if (!params) continue;
    if (!route.methods || route.methods.includes(upper)) return { kind: 'match', route, params };
    for (const m of route.methods) if (!allow.includes(m)) allow.push(m);
  }
  return allow.length > 0 ? { kind: 'methodNotAllowed', allow } : { kind: 'notFound' };
}

/** The routes, most specific first; equally specific ones keep their order. */
export function byPrecedence<R extends Routable>(routes: readonly R[]): R[] {
  return [...routes].sort((a, b) => compareRoutePrecedence(a.template, b.template));
}

/** One request to a host route, with the route values (decoded). */
export interface HostRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

export type HostRouteHandler = (request: HostRequest) => Promise<void> | void;

export interface HostRoute {
  /** The upper-case method it answers, or `*` for every method (the handler decides). */
  method: string;
  /** A route template below the scope's base, e.g. `instances/{instanceId}`; `''` is the base itself. */
  path: string;
  handle: HostRouteHandler;
}

/** The routes under one path prefix, and how that prefix answers a path or method it does not serve. */
export interface HostRouteScope {
  /** The base path: the scope owns it and every path below it. */
  base: string;
  /**
   * Compare the base and the literals exactly (default true: the `/runtime/...` routes always did);
   * false ignores case, as Azure's app routes and `/.auth/...` do.
   */
  caseSensitive?: boolean;
  routes: readonly HostRoute[];
  /** Answers a path of the scope that no route matches; without it, such a path is not the scope's. */
  notFound?: HostRouteHandler;
  /** Answers a path served with other methods; default: a 405 problem with `Allow`. */
  methodNotAllowed?: (request: HostRequest, allow: readonly string[]) => void;
}

export interface HostRouter {
  /** Serves the request when a scope owns its path; resolves false when none does (HostService `handle`). */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}

interface CompiledRoute extends Routable {
  handle: HostRouteHandler;
}

/**
 * A router for host routes. Literals match case-sensitively unless a scope says otherwise (the key
 * rule in `auth.ts` is decided on the lower-cased path, so no spelling slips past it), repeated
 * slashes count as one. A `ProblemError` thrown by a handler is answered as its problem.
 */
export function createHostRouter(scopes: readonly HostRouteScope[]): HostRouter {
  const compiled = scopes.map((scope) => {
    const caseSensitive = scope.caseSensitive ?? true;
    return {
      scope,
      owns: ownerTest(scope.base, caseSensitive),
      routes: byPrecedence(
        scope.routes.map((route): CompiledRoute => ({
          template: parseRouteTemplate(route.path, { caseSensitive }),
          methods: route.method === '*' ? undefined : [route.method.toUpperCase()],
          handle: route.handle,
        })),
      ),
    };
  });
  return {
    async handle(req, res, url) {
      const { pathname } = url;
      const owner = compiled.find(({ owns }) => owns(pathname));
      if (!owner) return false;
      const { scope, routes } = owner;
      const below = pathname.slice(scope.base.length).replace(/\/{2,}/g, '/');
      const found = findRoute(routes, req.method ?? 'GET', below);
      if (found.kind === 'notFound' && !scope.notFound) return false;
      const request: HostRequest = { req, res, url, params: found.kind === 'match' ? found.params : {} };
      try {
        if (found.kind === 'match') await found.route.handle(request);
        else if (found.kind === 'methodNotAllowed')
          (scope.methodNotAllowed ?? answerMethodNotAllowed)(request, found.allow);
        else await scope.notFound?.(request);
      } catch (err) {
        if (!(err instanceof ProblemError)) throw err;
        sendProblem(res, { ...err.problem, instance: err.problem.instance ?? pathname }, err.headers);
      }
      return true;
    },
  };
}

/** Whether a path is the base or below it. */
function ownerTest(base: string, caseSensitive: boolean): (pathname: string) => boolean {
  const prefix = caseSensitive ? base : base.toLowerCase();
  return (pathname) => {
    const path = caseSensitive ? pathname : pathname.toLowerCase();
    return path === prefix || path.startsWith(`${prefix}/`);
  };
}

/** The host's 405: the allowed methods in the problem and in `Allow`. */
export function answerMethodNotAllowed(
  { req, res, url }: Pick<HostRequest, 'req' | 'res' | 'url'>,
  allow: readonly string[],
): void {
  sendProblem(
    res,
    {
      status: 405,
      title: 'Method Not Allowed',
      detail: `${req.method} is not allowed on ${url.pathname}; allowed: ${allow.join(', ')}.`,
      instance: url.pathname,
    },
    { allow: allow.join(', ') },
  );
}
