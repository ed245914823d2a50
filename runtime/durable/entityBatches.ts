/**
 * Entity batches: the next queued operations of one entity run in one invocation, and the entity's
 * state, the consumed operations, the responses and the signals it sent commit in one transaction.
 */
import { randomUUID } from 'node:crypto';
import {
  BatchOutcome,
  entityInstanceId,
  EntityOperation,
  executeOperations,
  invokeEntityBatch,
  NewEntityOperation,
  parseEntityInstanceId,
  responseMessage,
} from './entities';
import type { WorkContext } from './workContext';

/** Runs the next batch of one entity's queued operations and commits its outcome. */
export async function runEntityBatch(work: WorkContext, entityId: string): Promise<void> {
  const { store, clock, log, settings } = work;
  let ops = store.entities.pending(entityId, settings.maxEntityOperationBatchSize);
  if (ops.length === 0) return;
  // After a crash the suspect operation runs alone, so a poison operation is found and only it fails.
  if (ops[0].dequeueCount > 0) ops = [ops[0]];
  const id = parseEntityInstanceId(entityId);
  const functionName = id ? work.entityFunctions.get(id.name) : undefined;
  const record = store.entities.get(entityId);
  const start = { exists: record !== undefined, state: record?.state ?? null };
  let outcome: BatchOutcome;
  if (ops[0].dequeueCount >= settings.maxCrashAttempts) {
    const message = `Operation '${ops[0].operation}' of entity '${entityId}' crashed its invocation ${ops[0].dequeueCount} times; it is poisoned and not tried again.`;
    log.error(`Durable: ${message}`);
    outcome = { ...start, results: [{ isError: true, result: JSON.stringify(message) }], signals: [] };
  } else if (!id || !functionName) {
    const message = `The entity function '${id?.name ?? entityId}' doesn't exist or is not an entity function.`;
    log.warn(`Durable: ${ops.length} operation(s) for '${entityId}' dropped: ${message}`);
    outcome = {
      ...start,
      results: ops.map(() => ({ isError: true, result: JSON.stringify(message) })),
      signals: [],
    };
  } else {
    const self = id;
    store.entities.countAttempt(entityId, ops[ops.length - 1].seq);
    await work.durable();
    outcome = await executeOperations(
      (snapshot, batch) =>
        invokeEntityBatch(work.invoke, functionName, {
          self,
          exists: snapshot.exists,
          state: snapshot.state,
          batch: batch.map((op) => ({
            id: op.requestId ?? String(op.seq),
            name: op.operation,
            input: op.input,
            isSignal: op.isSignal,
          })),
        }),
      start,
      ops,
    );
  }
  if (work.isStopped()) return;
  const now = clock.now();
  store.entities.commitBatch({
    entityId,
    consumedUpTo: ops[ops.length - 1].seq,
    after: { exists: outcome.exists, state: outcome.exists ? outcome.state : null },
    responses: ops.flatMap((op: EntityOperation, i) =>
      !op.isSignal && op.requestId && op.parentInstanceId && op.parentExecutionId
        ? [
            {
              instanceId: op.parentInstanceId,
              executionId: op.parentExecutionId,
              requestId: op.requestId,
              message: responseMessage(outcome.results[i] ?? { isError: false }),
            },
          ]
        : [],
    ),
    signals: outcome.signals.map((signal): NewEntityOperation => ({
      entityId: entityInstanceId(signal.target.name, signal.target.key),
      operation: signal.name,
      input: signal.input === '' || signal.input === undefined ? null : signal.input,
      isSignal: true,
      requestId: randomUUID(),
      parentInstanceId: null,
      parentExecutionId: null,
    })),
    now,
  });
}
