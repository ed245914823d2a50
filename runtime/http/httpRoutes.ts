/**
 * The route table of the app's HTTP triggers: `/{routePrefix}/{route}` with the registration's
 * methods and authLevel, as the Functions host builds it from the metadata.
 */
import type { AppRegistry, FunctionRegistration } from '../contracts';
import { compareRoutePrecedence, matchRoute, parseRouteTemplate, type RouteTemplate } from './routeTemplate';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

export interface HttpRoute {
  functionName: string;
  /** The route as served, e.g. `api/accounts/{id:int}` (no leading slash). */
  path: string;
  /** Upper-case methods; undefined means every method. */
  methods?: string[];
  authLevel: AuthLevel;
  template: RouteTemplate;
}

export type RouteLookup =
  | { kind: 'match'; route: HttpRoute; params: Record<string, string> }
  | { kind: 'methodNotAllowed'; allow: string[] }
  | { kind: 'notFound' };

export interface HttpRouteTable {
  readonly routePrefix: string;
  readonly routes: readonly HttpRoute[];
  find(method: string, pathname: string): RouteLookup;
}

/** The `extensions.http.routePrefix` of host.json without slashes; `api` when absent. */
export function routePrefixOf(registry: AppRegistry): string {
  const prefix = registry.hostJson.extensions?.http?.routePrefix;
  return (typeof prefix === 'string' ? prefix : 'api').replace(/^\/+|\/+$/g, '');
}

export function buildHttpRoutes(registry: AppRegistry): HttpRouteTable {
  const routePrefix = routePrefixOf(registry);
  const routes = registry.byTriggerType('httpTrigger').map((fn) => toRoute(fn, routePrefix));
  routes.sort((a, b) => compareRoutePrecedence(a.template, b.template));
  return {
    routePrefix,
    routes,
    find(method, pathname) {
      const upper = method.toUpperCase();
      const allow = new Set<string>();
      for (const route of routes) {
        const params = matchRoute(route.template, pathname);
        if (!params) continue;
        if (!route.methods || route.methods.includes(upper)) return { kind: 'match', route, params };
        for (const m of route.methods) allow.add(m);
      }
      return allow.size > 0 ? { kind: 'methodNotAllowed', allow: [...allow].sort() } : { kind: 'notFound' };
    },
  };
}

function toRoute(fn: FunctionRegistration, routePrefix: string): HttpRoute {
  const trigger = fn.trigger as { route?: unknown; methods?: unknown; authLevel?: unknown };
  const route =
    typeof trigger.route === 'string' && trigger.route.trim() !== '' ? trigger.route.trim() : fn.name;
  const path = [routePrefix, route.replace(/^\/+|\/+$/g, '')].filter((s) => s !== '').join('/');
  const methods =
    Array.isArray(trigger.methods) && trigger.methods.length > 0
      ? trigger.methods.map((m) => String(m).toUpperCase())
      : undefined;
  const level = String(trigger.authLevel ?? 'anonymous').toLowerCase();
  const authLevel: AuthLevel = level === 'function' || level === 'admin' ? level : 'anonymous';
  return { functionName: fn.name, path, methods, authLevel, template: parseRouteTemplate(path) };
}
