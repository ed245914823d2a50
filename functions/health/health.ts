/**
 * The health of this instance (docs/observability.md), from checks that cost one store read:
 *
 *   store       the views container answers a point read (else `unhealthy`: nothing can work)
 *   commands    the command handler's last change-feed lag, `degraded` above {@link MAX_FEED_LAG_MS}
 *   events      the primary handler's last lag, the same rule
 *   publishing  Event Grid publishes keep failing (the primary handler retries the batch): `degraded`
 *   backlog     commands this instance accepted and the pipeline has not handled through (backlog.ts):
 *               `degraded` at `BACKLOG_MAX_COMMANDS`, when new commands get 429 `backlog_full`
 *
 * `healthy` and `degraded` answer 200 (the instance serves; an operator should look), `unhealthy`
 * 503 (a load balancer should send traffic elsewhere).
 */
import type { Views } from '../../stores';
import type { BacklogMeasure } from './backlog';
import { signals } from './signals';

/** A change feed handled more than a minute after its writes is falling behind. */
export const MAX_FEED_LAG_MS = 60_000;

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface Check {
  status: HealthStatus;
  detail: string;
  [measure: string]: string | number;
}

export interface Health {
  status: HealthStatus;
  checkedAt: string;
  checks: Record<string, Check>;
}

const RANK: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

export async function checkHealth(deps: {
  views: Views;
  now: () => number;
  /** The backlog as last measured, with its bound; no check without it. */
  backlog?: { measure: BacklogMeasure; maxCommands: number };
}): Promise<Health> {
  const checks: Record<string, Check> = { store: await storeCheck(deps.views) };
  const seen = signals();
  for (const container of ['commands', 'events']) {
    const feed = seen.feeds.get(container);
    checks[container] = !feed
      ? { status: 'healthy', detail: `no ${container} handled by this instance yet` }
      : {
          status: feed.lagMs > MAX_FEED_LAG_MS ? 'degraded' : 'healthy',
          detail:
            feed.lagMs > MAX_FEED_LAG_MS
              ? `the ${container} change feed is handled ${Math.round(feed.lagMs / 1000)} s after its writes`
              : `the ${container} change feed keeps up`,
          lagMs: Math.round(feed.lagMs),
          handledAt: new Date(feed.handledAt).toISOString(),
        };
  }
  const { consecutiveFailures, lastError } = seen.publishing;
  checks.publishing =
    consecutiveFailures === 0
      ? { status: 'healthy', detail: 'events are published to Event Grid' }
      : {
          status: 'degraded',
          detail: `the last ${consecutiveFailures} publish(es) to Event Grid failed${lastError ? `: ${lastError}` : ''}; the primary handler retries them`,
          consecutiveFailures,
        };
  if (deps.backlog) checks.backlog = backlogCheck(deps.backlog.measure, deps.backlog.maxCommands);
  const status = Object.values(checks).reduce<HealthStatus>(
    (worst, check) => (RANK[check.status] > RANK[worst] ? check.status : worst),
    'healthy',
  );
  return { status, checkedAt: new Date(deps.now()).toISOString(), checks };
}

function backlogCheck(measure: BacklogMeasure, maxCommands: number): Check {
  const full = measure.commands >= maxCommands;
  return {
    status: full ? 'degraded' : 'healthy',
    detail: full
      ? `${measure.commands} accepted commands are not handled yet (the bound is ${maxCommands}): new commands get 429 backlog_full`
      : `${measure.commands} accepted command(s) not handled yet, below the bound of ${maxCommands}`,
    commands: measure.commands,
    maxCommands,
    oldestAgeMs: Math.round(measure.oldestAgeMs),
    ...(measure.refreshedAt === undefined ? {} : { measuredAt: new Date(measure.refreshedAt).toISOString() }),
  };
}

async function storeCheck(views: Views): Promise<Check> {
  const started = performance.now();
  try {
    await views.get('health', 'probe');
    return {
      status: 'healthy',
      detail: 'the store answers',
      latencyMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    return {
      status: 'unhealthy',
      detail: `the store does not answer: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
