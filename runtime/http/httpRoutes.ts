/**
 * The route table of the app's HTTP triggers: `/{routePrefix}/{route}` with the registration's
 * methods and authLevel, as the Functions host builds it from the metadata.
 */
import type { AppRegistry, FunctionRegistration } from '../contracts';
import { byPrecedence, findRoute, type RouteLookup as Lookup } from './router';
import { parseRouteTemplate, type RouteTemplate } from './routeTemplate';

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

export type RouteLookup = Lookup<HttpRoute>;

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
  const routes = byPrecedence(registry.byTriggerType('httpTrigger').map((fn) => toRoute(fn, routePrefix)));
  return {
    routePrefix,
    routes,
    find(method, pathname) {
      const found = findRoute(routes, method, pathname);
      return found.kind === 'methodNotAllowed' ? { kind: found.kind, allow: found.allow.sort() } : found;
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
