/**
 * What this app instance has seen of its own pipeline, for `GET /api/health`: the last lag of each
 * change feed it handles (ms from a document's write to its handling) and when, and whether
 * publishing to Event Grid keeps failing. Kept in memory: each instance answers for itself, as a
 * load balancer's probe asks each instance.
 */

export interface FeedSignal {
  lagMs: number;
  handledAt: number;
}

const feeds = new Map<string, FeedSignal>();
let publishFailures = 0;
let lastPublishError: string | undefined;

export function feedHandled(container: string, lagMs: number, handledAt: number): void {
  if (Number.isFinite(lagMs)) feeds.set(container, { lagMs: Math.max(0, lagMs), handledAt });
}

export function publishSucceeded(): void {
  publishFailures = 0;
  lastPublishError = undefined;
}

export function publishFailed(error: unknown): void {
  publishFailures += 1;
  lastPublishError = error instanceof Error ? error.message : String(error);
}

export function signals(): {
  feeds: ReadonlyMap<string, FeedSignal>;
  publishing: { consecutiveFailures: number; lastError?: string };
} {
  return {
    feeds,
    publishing: {
      consecutiveFailures: publishFailures,
      ...(lastPublishError ? { lastError: lastPublishError } : {}),
    },
  };
}

/** Forgets everything (tests). */
export function resetSignals(): void {
  feeds.clear();
  publishSucceeded();
}
