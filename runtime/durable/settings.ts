/** The durable backend's options, and the settings they resolve to with host.json's `extensions.durableTask`. */
import os from 'node:os';
import type { HostJson } from '../contracts';

export interface DurableServiceOptions {
  /** Task hub name; default host.json `extensions.durableTask.hubName`, else "TestHubName". */
  hubName?: string;
  /** Episodes running at once; default host.json `maxConcurrentOrchestratorFunctions`, else 10 per core (Azure's default off the Consumption plan). */
  maxConcurrentOrchestrations?: number;
  /** Activities running at once; default host.json `maxConcurrentActivityFunctions`, else 10 per core (Azure's default off the Consumption plan). */
  maxConcurrentActivities?: number;
  /**
   * Entity batches running at once (never two of one entity); default host.json
   * `maxConcurrentEntityFunctions`, else the orchestration limit.
   */
  maxConcurrentEntities?: number;
  /** Most operations of one entity run in one invocation; default host.json `maxEntityOperationBatchSize`, else 50. */
  maxEntityOperationBatchSize?: number;
  /**
   * Crashed attempts of a work item before it is failed as poisoned; default 5. A crash is an
   * attempt that never returns a result: the process dies during it (SIGKILL, exit, OOM), an
   * activity exceeds `activityTimeoutMs`, or the invocation of an entity batch rejects (the SDK
   * turns every operation's error into a result, so a rejection is the worker failing). An activity
   * or orchestrator whose code throws is not a crash: that fails the task / instance at once
   * (retries are the orchestration's RetryOptions). Poisoned activities fail their task, poisoned
   * entity operations return an error to their caller, poisoned episodes fail the instance.
   */
  maxCrashAttempts?: number;
  /** An activity attempt still running after this long is abandoned (its late result dropped) and retried; default host.json `functionTimeout`, else 30 min. */
  activityTimeoutMs?: number;
  /** Backoff before the retry of a crashed attempt: this, doubled per attempt, at most 60 s (host clock); default 1 s. */
  crashRetryBaseMs?: number;
  /** How long `stop()` waits for running episodes and activities to finish; default 10 s. */
  drainTimeoutMs?: number;
  /**
   * At continueAsNew, carry raised events that no wait consumed into the next execution (default
   * true). Events still queued always reach the next execution. Azure's JS shim calls .NET
   * `ContinueAsNew(input)` without `preserveUnprocessedEvents`, so there unconsumed events already
   * delivered to the ending execution are dropped: set false to behave exactly like that.
   */
  preserveUnprocessedEvents?: boolean;
  /**
   * Tokens for `callHttp` with a `ManagedIdentityTokenSource`, by resource (the local host has no
   * managed identity); default the app setting `DURABLE_HTTP_TOKENS` (JSON `{"<resource>": "<token>"}`),
   * else none: such a call then fails with a message naming the setting.
   */
  httpTokens?: Record<string, string>;
}

/** Every option with its value for this host (the callHttp tokens aside: they come from the app settings). */
export type DurableSettings = Required<Omit<DurableServiceOptions, 'httpTokens'>>;

export const DEFAULT_HUB_NAME = 'TestHubName';

/**
 * The extension's default for both limits when host.json names none, on a Dedicated or Premium plan
 * (the Azure Storage provider's `10 * Environment.ProcessorCount`; the Consumption plan's 5 and 10 are
 * for its one-core instances).
 */
export function defaultConcurrency(cores = os.availableParallelism()): number {
  return 10 * Math.max(1, cores);
}

export function resolveDurableSettings(
  options: DurableServiceOptions,
  hostJson: HostJson,
  cores = os.availableParallelism(),
): DurableSettings {
  const durableTask = hostJson.extensions?.durableTask;
  const byCores = defaultConcurrency(cores);
  const maxConcurrentOrchestrations =
    options.maxConcurrentOrchestrations ??
    positiveInteger(durableTask?.maxConcurrentOrchestratorFunctions) ??
    byCores;
  return {
    hubName:
      options.hubName ?? (typeof durableTask?.hubName === 'string' ? durableTask.hubName : DEFAULT_HUB_NAME),
    maxConcurrentOrchestrations,
    maxConcurrentActivities:
      options.maxConcurrentActivities ??
      positiveInteger(durableTask?.maxConcurrentActivityFunctions) ??
      byCores,
    maxConcurrentEntities:
      options.maxConcurrentEntities ??
      positiveInteger(durableTask?.maxConcurrentEntityFunctions) ??
      maxConcurrentOrchestrations,
    maxEntityOperationBatchSize:
      options.maxEntityOperationBatchSize ?? positiveInteger(durableTask?.maxEntityOperationBatchSize) ?? 50,
    maxCrashAttempts: options.maxCrashAttempts ?? 5,
    activityTimeoutMs: options.activityTimeoutMs ?? timeSpanMs(hostJson.functionTimeout) ?? 30 * 60_000,
    crashRetryBaseMs: options.crashRetryBaseMs ?? 1000,
    drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
    preserveUnprocessedEvents: options.preserveUnprocessedEvents ?? true,
  };
}

/** `hh:mm:ss` (as host.json's functionTimeout) in ms; undefined when absent or malformed. */
function timeSpanMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(value.trim());
  if (!m) return undefined;
  const [, days, h, min, sec] = m;
  return (((Number(days ?? 0) * 24 + Number(h)) * 60 + Number(min)) * 60 + Number(sec)) * 1000;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}
