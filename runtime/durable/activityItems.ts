/**
 * Activity work items: one attempt under a lease, its result recorded as the task's completion or
 * failure. Attempts are counted before they run, so crashes that kill the process count too.
 */
import { HTTP_ACTIVITY_NAME, sendDurableHttpRequest } from './durableHttp';
import { runActivity } from './functionRunner';
import { historyEvent } from './historyEvents';
import type { ActivityItem } from './store';
import type { WorkContext } from './workContext';

const MAX_CRASH_BACKOFF_MS = 60_000;
const TIMED_OUT = Symbol('timed out');

/**
 * Runs one attempt of an activity under a lease. An attempt that crashed before (the item is
 * still here with attempts counted) waited out its backoff; after `maxCrashAttempts` crashed
 * attempts the task fails as poisoned instead of crashing the host forever.
 */
export async function runActivityItem(work: WorkContext, item: ActivityItem): Promise<void> {
  const { store, clock, log, settings } = work;
  const started = clock.now();
  if (item.attempts >= settings.maxCrashAttempts) {
    const message = `the invocation crashed or timed out ${item.attempts} times; the work item is poisoned and not tried again`;
    log.error(`Durable: activity '${item.name}' of '${item.instanceId}' failed: ${message}`);
    const failure = {
      Reason: `Activity function '${item.name}' failed: ${message}`,
      Details: message,
    };
    store.completeActivity(item, historyEvent.taskFailed(started, item.taskId, failure), started);
    return;
  }
  const attempt = store.leaseActivity(
    item.seq,
    started + crashBackoff(settings.crashRetryBaseMs, item.attempts + 1),
  );
  if (attempt === undefined) return;
  await work.durable();
  let timeout: NodeJS.Timeout | undefined;
  const run = await Promise.race([
    item.name === HTTP_ACTIVITY_NAME
      ? sendDurableHttpRequest(item.input, work.httpTokens, settings.activityTimeoutMs)
      : runActivity(work.invoke, item.name, item.input),
    new Promise<typeof TIMED_OUT>(
      (resolve) => (timeout = setTimeout(() => resolve(TIMED_OUT), settings.activityTimeoutMs)),
    ),
  ]);
  clearTimeout(timeout);
  if (work.isStopped()) return;
  if (run === TIMED_OUT) {
    // Treated as a crash: the lease keeps the item hidden for the backoff, the late result is dropped.
    log.warn(
      `Durable: activity '${item.name}' of '${item.instanceId}' did not finish within ${settings.activityTimeoutMs} ms (attempt ${attempt}); it will be retried.`,
    );
    work.armTimerWake();
    return;
  }
  const now = clock.now();
  const event = run.ok
    ? historyEvent.taskCompleted(now, item.taskId, run.result)
    : historyEvent.taskFailed(now, item.taskId, run.failure);
  store.completeActivity(item, event, now);
}

/** The backoff before attempt `attempt` after a crash: the base, doubled per attempt, at most 60 s. */
function crashBackoff(baseMs: number, attempt: number): number {
  return Math.min(MAX_CRASH_BACKOFF_MS, baseMs * 2 ** (attempt - 1));
}
