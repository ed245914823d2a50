/**
 * Durable entities as the durable-functions SDK speaks them (its `Entity` class): entity ids
 * (`@name@key`, the name lower-cased), the entity trigger's batch payload and result, the response
 * message an orchestration's `callEntity` receives, and running a batch so that a failed
 * operation leaves no trace in the entity's state.
 */
import type { Invoker } from '../contracts';
import { typedDataValue } from './functionRunner';

export interface EntityId {
  /** Lower-cased, as the SDK and the extension normalize it. */
  name: string;
  key: string;
}

/** `@counter@k1`, the entity's instance id (scheduler id), as the SDK's EntityId builds it. */
export function entityInstanceId(name: string, key: string): string {
  return `@${name.toLowerCase()}@${key}`;
}

export function parseEntityInstanceId(instanceId: string): EntityId | undefined {
  if (!instanceId.startsWith('@')) return undefined;
  const at = instanceId.indexOf('@', 1);
  if (at < 2) return undefined;
  return { name: instanceId.slice(1, at).toLowerCase(), key: instanceId.slice(at + 1) };
}

/** One queued operation of an entity. */
export interface EntityOperation {
  seq: number;
  entityId: string;
  operation: string;
  /** JSON text or null. */
  input: string | null;
  isSignal: boolean;
  /** Correlates a call's response (the EventRaised name the orchestration waits for). */
  requestId: string | null;
  parentInstanceId: string | null;
  parentExecutionId: string | null;
  dequeueCount: number;
}

export type NewEntityOperation = Omit<EntityOperation, 'seq' | 'dequeueCount'>;

/** What the entity trigger receives (the extension's out-of-process entity batch). */
export interface EntityBatchRequest {
  self: EntityId;
  exists: boolean;
  state: string | null;
  batch: Array<{ id: string; name: string; input: string | null; isSignal: boolean }>;
}

export interface EntityOperationResult {
  isError: boolean;
  duration?: number;
  startTime?: number;
  /** JSON text of the returned value (or of the thrown value when isError). */
  result?: string;
}

export interface EntitySignal {
  target: { name: string; key: string };
  name: string;
  /** JSON text, or "" for none (the SDK's convention). */
  input: string;
}

/** What the SDK's entity handler returns (its `EntityState`). */
export interface EntityBatchResult {
  entityExists: boolean;
  entityState?: string | null;
  results: EntityOperationResult[];
  signals: EntitySignal[];
}

export interface EntitySnapshot {
  exists: boolean;
  state: string | null;
}

/** The outcome of running a batch: the entity after it, one result per operation, signals to send. */
export interface BatchOutcome extends EntitySnapshot {
  results: EntityOperationResult[];
  signals: EntitySignal[];
}

export type BatchRunner = (start: EntitySnapshot, ops: EntityOperation[]) => Promise<EntityBatchResult>;

/**
 * Runs the operations as one batch; when one of them fails, runs them again one at a time from the
 * starting state, so a failed operation's state changes and signals are dropped (the state stays as
 * the operations before it left it) while the others still take effect.
 */
export async function executeOperations(
  run: BatchRunner,
  start: EntitySnapshot,
  ops: EntityOperation[],
): Promise<BatchOutcome> {
  const whole = await run(start, ops);
  if (!whole.results.some((r) => r.isError)) return outcomeOf(whole, ops.length);
  if (ops.length === 1) return { ...start, results: [whole.results[0]], signals: [] };
  let current = start;
  const results: EntityOperationResult[] = [];
  const signals: EntitySignal[] = [];
  for (const op of ops) {
    const single = await run(current, [op]);
    const result = single.results[0] ?? { isError: false };
    results.push(result);
    if (result.isError) continue;
    current = { exists: single.entityExists, state: single.entityState ?? null };
    signals.push(...single.signals);
  }
  return { ...current, results, signals };
}

function outcomeOf(result: EntityBatchResult, count: number): BatchOutcome {
  const results = Array.from({ length: count }, (_, i) => result.results[i] ?? { isError: false });
  return {
    exists: result.entityExists,
    state: result.entityExists ? (result.entityState ?? null) : null,
    results,
    signals: result.signals,
  };
}

/** Invokes an entity function with one batch, through the library's invocation model. */
export async function invokeEntityBatch(
  invoke: Invoker,
  functionName: string,
  request: EntityBatchRequest,
): Promise<EntityBatchResult> {
  const response = await invoke({ functionName, triggerData: { string: JSON.stringify(request) } });
  const value = typedDataValue(response.returnValue) as EntityBatchResult | undefined;
  if (!value || typeof value !== 'object' || !Array.isArray(value.results)) {
    throw new Error(
      `Entity function '${functionName}' returned no entity state (is it registered with df.app.entity?)`,
    );
  }
  return { ...value, signals: Array.isArray(value.signals) ? value.signals : [] };
}

/** The EventRaised input a `callEntity` task resolves from (the SDK's ResponseMessage). */
export function responseMessage(result: EntityOperationResult): string {
  const body: { result?: string; exceptionType?: string } = {};
  if (typeof result.result === 'string') body.result = result.result;
  if (result.isError) body.exceptionType = 'Error';
  return JSON.stringify(body);
}

/** A response for an operation that never ran (unknown entity function, poisoned batch). */
export function errorResponse(message: string): string {
  return JSON.stringify({ result: JSON.stringify(message), exceptionType: 'Error' });
}

/** The request message an orchestration's EventSent carries (the fields the extension writes). */
export function requestMessage(fields: {
  id: string;
  operation: string;
  input: string | null;
  isSignal: boolean;
  parentInstanceId: string;
  parentExecutionId: string;
  at: number;
}): string {
  return JSON.stringify({
    id: fields.id,
    op: fields.operation,
    signal: fields.isSignal,
    input: fields.input,
    parent: fields.parentInstanceId,
    parentExecution: fields.parentExecutionId,
    timestamp: new Date(fields.at).toISOString(),
  });
}
