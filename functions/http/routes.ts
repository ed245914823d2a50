/** Every route of the HTTP API: what api.ts registers and the OpenAPI document lists. */
import { COMMAND_ROUTES } from './commandRoutes';
import { HEALTH_ROUTES } from './healthRoutes';
import { QUERY_ROUTES } from './queryRoutes';
import type { RouteDefinition } from './route';

export const ROUTES = { ...COMMAND_ROUTES, ...QUERY_ROUTES, ...HEALTH_ROUTES } satisfies Record<
  string,
  RouteDefinition
>;

export type RouteName = keyof typeof ROUTES;
