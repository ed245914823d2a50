/**
 * Health for load balancers and orchestrators (docs/observability.md): readiness at `GET /api/health`
 * (200 healthy or degraded, 503 unhealthy, the checks in the body) and liveness at
 * `GET /api/health/live` (200 while the app answers). Anyone may ask: they reveal no data.
 */
import { commandBacklog } from '../health/backlog';
import { checkHealth } from '../health/health';
import { currentSettings } from '../settings';
import { jsonAnswer, type RouteDefinition } from './route';
import { HealthResponseSchema, LivenessResponseSchema } from './schemas';

export const HEALTH_ROUTES = {
  health: {
    method: 'GET',
    route: 'health',
    summary:
      'Readiness: the store answers, the change feeds keep up, publishing to Event Grid works, the backlog is below its bound (503 when unhealthy)',
    roles: 'anyone',
    status: 200,
    idempotencyKey: false,
    response: HealthResponseSchema,
    refusals: { 503: 'the instance is unhealthy (the body says which check failed)' },
    durableClient: false,
    handle: async (deps) => {
      const now = Date.parse(deps.now());
      // The measurement new commands are judged by: refreshed only when due (at most once a second).
      await commandBacklog.refreshIfDue(deps.stores, now, false);
      const health = await checkHealth({
        views: deps.stores.views,
        now: () => now,
        backlog: { measure: commandBacklog.measure(now), maxCommands: currentSettings().backlog.maxCommands },
      });
      return jsonAnswer(HealthResponseSchema, health, health.status === 'unhealthy' ? 503 : 200, {
        'cache-control': 'no-store',
      });
    },
  },
  liveness: {
    method: 'GET',
    route: 'health/live',
    summary: 'Liveness: the app is loaded and answers',
    roles: 'anyone',
    status: 200,
    idempotencyKey: false,
    response: LivenessResponseSchema,
    refusals: {},
    durableClient: false,
    handle: async (deps) =>
      jsonAnswer(LivenessResponseSchema, { status: 'alive', checkedAt: deps.now() }, 200, {
        'cache-control': 'no-store',
      }),
  },
} satisfies Record<string, RouteDefinition>;
