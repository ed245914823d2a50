/**
 * Executes one client command against the event store: load the aggregate, decide with the domain,
 * append with the expected version, and on a version conflict read and decide again. Events get
 * deterministic ids (`{commandId}:{n}`), so executing a command twice appends once.
 */
import { fold } from '../../domain/decider';
import { accountDecider } from '../../domain';
import type {
  DecideTransfer,
  LoadCredits,
  OpenAccount,
  CloseAccount,
  RequestTransfer,
  ClientCommand,
} from '../../domain/commands';
import { envelopeAll, type EventEnvelope, type EventMetadata } from '../../domain/envelope';
import {
  DomainEventSchema,
  type AccountEvent,
  type DomainEvent,
  type TransferEvent,
} from '../../domain/events';
import { accountStreamId, transferStreamId } from '../../domain/ids';
import type { Decision, ReasonCode } from '../../domain/reasons';
import {
  decideTransfer,
  evolveTransfer,
  initialTransferState,
  type TransferState,
} from '../../domain/transfer';
import type { AccountState } from '../../domain';
import { isStoreError, type EventStore } from '../../stores';
import type { TransferProcessClient } from '../transferProcessClient';

/** Re-read and re-decide at most this often when other writers keep moving the stream. */
const MAX_CONFLICT_RETRIES = 20;

export type ExecutionOutcome = { status: 'succeeded' } | { status: 'rejected'; reason: ReasonCode };

export interface ExecutionContext {
  events: EventStore;
  commandId: string;
  correlationId: string;
  occurredAt: () => string;
  /** Only DecideTransfer needs the durable client. */
  processes: () => TransferProcessClient;
}

/** A stream whose stored events are not valid domain events: a failure to retry and then dead-letter, never a rejection. */
export class CorruptStreamError extends Error {
  override readonly name = 'CorruptStreamError';
}

interface LoadedStream<E> {
  events: E[];
  version: number;
}

async function load<E extends DomainEvent>(events: EventStore, streamId: string): Promise<LoadedStream<E>> {
  const stored = await events.readStream(streamId);
  const domainEvents = stored.map((envelope: EventEnvelope) => {
    const parsed = DomainEventSchema.safeParse({ type: envelope.type, data: envelope.data });
    if (!parsed.success)
      throw new CorruptStreamError(
        `event ${envelope.id} (version ${envelope.version}) of ${streamId} is not a valid ${envelope.type}`,
      );
    return parsed.data as E;
  });
  return { events: domainEvents, version: stored.length === 0 ? 0 : stored[stored.length - 1].version };
}

async function loadAccount(events: EventStore, accountId: string): Promise<AccountState> {
  const stream = await load<AccountEvent>(events, accountStreamId(accountId));
  return fold(accountDecider, stream.events);
}

async function loadTransfer(events: EventStore, transferId: string): Promise<TransferState> {
  const stream = await load<TransferEvent>(events, transferStreamId(transferId));
  return stream.events.reduce(evolveTransfer, initialTransferState);
}

/** Decides on the stream's current state and appends; a conflict means someone else appended first: decide again. */
async function decideAndAppend<E extends DomainEvent>(
  ctx: ExecutionContext,
  streamId: string,
  decide: (events: E[]) => Decision<E>,
): Promise<ExecutionOutcome> {
  for (let attempt = 1; ; attempt++) {
    const stream = await load<E>(ctx.events, streamId);
    const decision = decide(stream.events);
    if (!decision.ok) return { status: 'rejected', reason: decision.error.code };
    if (decision.events.length === 0) return { status: 'succeeded' };
    const metadata: EventMetadata = {
      correlationId: ctx.correlationId,
      causationId: ctx.commandId,
      commandId: ctx.commandId,
      occurredAt: ctx.occurredAt(),
    };
    const envelopes = envelopeAll(decision.events, {
      streamId,
      expectedVersion: stream.version,
      metadata,
      idPrefix: ctx.commandId,
    });
    try {
      await ctx.events.append(streamId, stream.version, envelopes as EventEnvelope[]);
      return { status: 'succeeded' };
    } catch (error) {
      if (!isStoreError(error, 'stream_version_conflict') || attempt >= MAX_CONFLICT_RETRIES) throw error;
    }
  }
}

function accountCommand(
  ctx: ExecutionContext,
  command: OpenAccount | LoadCredits | CloseAccount,
): Promise<ExecutionOutcome> {
  return decideAndAppend<AccountEvent>(ctx, accountStreamId(command.data.accountId), (events) =>
    accountDecider.decide(command, fold(accountDecider, events)),
  );
}

async function requestTransfer(ctx: ExecutionContext, command: RequestTransfer): Promise<ExecutionOutcome> {
  const { fromAccountId, toAccountId, transferId } = command.data;
  if (fromAccountId === toAccountId) return { status: 'rejected', reason: 'same_account' };
  for (const accountId of [fromAccountId, toAccountId]) {
    const account = await loadAccount(ctx.events, accountId);
    if (account.status === 'none') return { status: 'rejected', reason: 'account_not_found' };
    if (account.status === 'closed') return { status: 'rejected', reason: 'account_closed' };
  }
  return decideAndAppend<TransferEvent>(ctx, transferStreamId(transferId), (events) =>
    decideTransfer(command, events.reduce(evolveTransfer, initialTransferState)),
  );
}

/**
 * A decision is checked against the transfer stream (known transfer, awaiting approval, allowed
 * approver) and then raised on the process instance; the orchestrator alone records the decision
 * on the stream. `succeeded` means "raised": when another approver's decision (e.g. one raised
 * through the Durable HTTP API) reached the process first, the process ignores this one, and the
 * transfer (stream, view, process) names the other approver.
 */
async function decide(ctx: ExecutionContext, command: DecideTransfer): Promise<ExecutionOutcome> {
  const transfer = await loadTransfer(ctx.events, command.data.transferId);
  if (transfer.status === 'none') return { status: 'rejected', reason: 'transfer_not_found' };
  const source = await loadAccount(ctx.events, transfer.fromAccountId);
  const decision = decideTransfer(command, transfer, {
    sourceOwnerId: source.status === 'none' ? null : source.ownerId,
  });
  if (!decision.ok) return { status: 'rejected', reason: decision.error.code };
  if (decision.events.length === 0) return { status: 'succeeded' };
  const processes = ctx.processes();
  const instance = await processes.instance(command.data.transferId);
  if (!instance.exists) return { status: 'rejected', reason: 'transfer_not_found' };
  if (instance.finished) return { status: 'rejected', reason: 'not_awaiting_approval' };
  const { decision: verdict, approver, note } = command.data;
  await processes.raiseDecision(
    command.data.transferId,
    note === undefined ? { decision: verdict, approver } : { decision: verdict, approver, note },
  );
  return { status: 'succeeded' };
}

export function executeCommand(ctx: ExecutionContext, command: ClientCommand): Promise<ExecutionOutcome> {
  switch (command.type) {
    case 'OpenAccount':
    case 'LoadCredits':
    case 'CloseAccount':
      return accountCommand(ctx, command);
    case 'RequestTransfer':
      return requestTransfer(ctx, command);
    case 'DecideTransfer':
      return decide(ctx, command);
  }
}
