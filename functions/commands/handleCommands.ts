/**
 * The command handler's work on one change-feed batch of the `commands` container. Each pending
 * command is executed and its outcome recorded. A command that throws (a transient failure, or a
 * corrupt stream) is retried: the handler rethrows after the batch so the change feed redelivers it
 * with backoff, counting attempts in the views; after {@link MAX_COMMAND_ATTEMPTS} the command is
 * marked `failed` and dead-lettered instead of being retried forever or dropped.
 */
import { ClientCommandSchema } from '../../domain/commands';
import type { CommandRecord, Stores, ViewDocument } from '../../stores';
import { attr, inSpan, linkFrom, markFailed, measure, SpanKind, traceOf, type Span } from '../../telemetry';
import { COMMAND_ATTEMPTS_PARTITION, DEADLETTERS_PARTITION } from '../projections/layout';
import type { TransferProcessClient } from '../transferProcessClient';
import { executeCommand, type ExecutionOutcome } from './executeCommand';

export const MAX_COMMAND_ATTEMPTS = 5;

export interface CommandHandlerDeps {
  stores: Stores;
  processes: () => TransferProcessClient;
  now: () => string;
  maxAttempts?: number;
}

export type CommandResult =
  | { commandId: string; result: 'skipped' }
  | { commandId: string; result: 'completed'; outcome: ExecutionOutcome }
  | { commandId: string; result: 'retry'; attempts: number; error: string }
  | { commandId: string; result: 'dead-lettered'; attempts: number; error: string };

export interface DeadLetter extends ViewDocument {
  pk: typeof DEADLETTERS_PARTITION;
  view: 'deadletter';
  commandId: string;
  type: string;
  data: unknown;
  attempts: number;
  reason: string;
  lastError: string;
  failedAt: string;
}

interface AttemptCounter extends ViewDocument {
  pk: typeof COMMAND_ATTEMPTS_PARTITION;
  attempts: number;
  lastError: string;
  lastAttemptAt: string;
}

/** A batch had commands that failed and will be tried again. Thrown so the checkpoint stays before them. */
export class CommandsToRetryError extends Error {
  override readonly name = 'CommandsToRetryError';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * One command in a span continuing the trace it was submitted in (its metadata's `traceparent`;
 * a decision's or a cancel's is its transfer's), linking the request that asked when that differs.
 */
function handleTraced(deps: CommandHandlerDeps, record: CommandRecord): Promise<CommandResult> {
  const metadata = (record.metadata ?? {}) as Record<string, unknown>;
  const asked =
    typeof metadata.requestTraceparent === 'string'
      ? linkFrom({ traceparent: metadata.requestTraceparent })
      : undefined;
  const transferId = (record.data as { transferId?: unknown } | null)?.transferId;
  return inSpan(
    `command ${record.type}`,
    {
      kind: SpanKind.CONSUMER,
      parent: traceOf(metadata) ?? null,
      attributes: {
        [attr.COMPONENT]: 'command handler',
        [attr.COMMAND_ID]: record.id,
        [attr.COMMAND_TYPE]: record.type,
        ...(typeof transferId === 'string' ? { [attr.TRANSFER_ID]: transferId } : {}),
        ...(record.attempt ? { 'cardflow.command.attempt': record.attempt } : {}),
      },
      links: asked ? [asked] : [],
    },
    async (span) => {
      const result = await handleOne(deps, record);
      describeResult(span, record.type, result);
      return result;
    },
  );
}

function describeResult(span: Span, type: string, result: CommandResult): void {
  if (result.result === 'completed') {
    const { outcome } = result;
    span.setAttribute(attr.COMMAND_OUTCOME, outcome.status);
    if (outcome.status === 'rejected') span.setAttribute(attr.COMMAND_REASON, outcome.reason);
    measure.commandHandled(type, outcome.status);
  } else if (result.result === 'retry') {
    span.setAttribute(attr.COMMAND_OUTCOME, 'retry');
    markFailed(span, result.error);
  } else if (result.result === 'dead-lettered') {
    span.setAttribute(attr.COMMAND_OUTCOME, 'failed');
    markFailed(span, result.error);
    measure.commandHandled(type, 'failed');
    measure.deadLettered('command');
  }
}

async function handleOne(deps: CommandHandlerDeps, record: CommandRecord): Promise<CommandResult> {
  const commandId = record.id;
  const parsed = ClientCommandSchema.safeParse({ type: record.type, data: record.data });
  if (!parsed.success) {
    // Never retried: no attempt can make an invalid command valid.
    return deadLetter(deps, record, 1, 'invalid_command', parsed.error.message);
  }
  try {
    const correlation = record.metadata?.correlationId;
    const outcome = await executeCommand(
      {
        events: deps.stores.events,
        commandId,
        correlationId: typeof correlation === 'string' && correlation.length > 0 ? correlation : commandId,
        occurredAt: deps.now,
        processes: deps.processes,
      },
      parsed.data,
    );
    await deps.stores.commands.complete(commandId, outcome);
    return { commandId, result: 'completed', outcome };
  } catch (error) {
    // A rejected command tried again (CommandStore.retry) counts its failures afresh.
    const counter = (record.attempt ?? 1) > 1 ? `${commandId}:${record.attempt}` : commandId;
    const attempts = await countAttempt(deps, counter, describe(error));
    if (attempts >= (deps.maxAttempts ?? MAX_COMMAND_ATTEMPTS))
      return deadLetter(deps, record, attempts, 'processing_failed', describe(error));
    return { commandId, result: 'retry', attempts, error: describe(error) };
  }
}

async function countAttempt(deps: CommandHandlerDeps, commandId: string, lastError: string): Promise<number> {
  const previous = await deps.stores.views.get<AttemptCounter>(COMMAND_ATTEMPTS_PARTITION, commandId);
  const attempts = (previous?.attempts ?? 0) + 1;
  await deps.stores.views.put<AttemptCounter>({
    id: commandId,
    pk: COMMAND_ATTEMPTS_PARTITION,
    attempts,
    lastError,
    lastAttemptAt: deps.now(),
  });
  return attempts;
}

async function deadLetter(
  deps: CommandHandlerDeps,
  record: CommandRecord,
  attempts: number,
  reason: string,
  lastError: string,
): Promise<CommandResult> {
  const letter: DeadLetter = {
    id: record.id,
    pk: DEADLETTERS_PARTITION,
    view: 'deadletter',
    commandId: record.id,
    type: record.type,
    data: record.data,
    attempts,
    reason,
    lastError,
    failedAt: deps.now(),
  };
  // The dead letter is written before the outcome, so a failed command is always listed somewhere.
  await deps.stores.views.put(letter);
  await deps.stores.commands.complete(record.id, { status: 'failed', reason });
  return { commandId: record.id, result: 'dead-lettered', attempts, error: lastError };
}

/**
 * Handles a batch of command documents as the change feed delivers them. A document delivered
 * with its outcome recorded is skipped; for a pending one the command's current record is read
 * first, and a redelivered or already completed command is skipped.
 *
 * @throws CommandsToRetryError after handling the whole batch, when some command must be retried.
 */
export async function handleCommands(
  deps: CommandHandlerDeps,
  documents: readonly unknown[],
): Promise<CommandResult[]> {
  const results: CommandResult[] = [];
  for (const document of documents) {
    const { id, status } = (document ?? {}) as { id?: unknown; status?: unknown };
    if (typeof id !== 'string') continue;
    // The feed delivers the document as written: a recorded outcome is final for that version (a
    // retry writes a new, pending one), so there is nothing to read. A pending one may be stale.
    if (typeof status === 'string' && status !== 'pending') {
      results.push({ commandId: id, result: 'skipped' });
      continue;
    }
    const record = await deps.stores.commands.get(id);
    if (!record || record.status !== 'pending') {
      results.push({ commandId: id, result: 'skipped' });
      continue;
    }
    results.push(await handleTraced(deps, record));
  }
  const retries = results.filter(
    (r): r is Extract<CommandResult, { result: 'retry' }> => r.result === 'retry',
  );
  if (retries.length > 0) {
    throw new CommandsToRetryError(
      `${retries.length} command(s) failed and will be retried: ${retries.map((r) => `${r.commandId} (attempt ${r.attempts}: ${r.error})`).join('; ')}`,
    );
  }
  return results;
}
