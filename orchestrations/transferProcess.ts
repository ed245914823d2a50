/**
 * The transfer process manager: one orchestration per transfer (instance id = transfer id), a thin
 * deterministic interpreter of the transfer machine (domain/transfer). The machine decides every
 * transition (whether approval is needed, the deadline, who may decide) and hands back effects as
 * data; this file turns each effect into durable work and feeds the result back as a machine event:
 *
 *   reserveFunds      → activity, then the outflow window's assessment → RESERVED | RESERVE_FAILED
 *   requestApproval   → activity (records the machine's deadline)
 *   startTimer        → durable timer; cancelTimer → cancel it
 *   (waiting)         → `ApprovalDecision` and `CancelTransfer` raced against the open timers
 *                       → APPROVED | REJECTED | CANCELLED | timer event
 *   (retrying)        → while the machine takes a cancel (reserving, awaiting approval, crediting),
 *                       `CancelTransfer` raced against the retry timer of a failed activity
 *                       → CANCELLED: the rest of the step's work is dropped
 *   recordDecision    → activity (a decision the machine took)
 *   creditDestination → activity → CREDITED | CREDIT_FAILED
 *   releaseFunds      → activity (compensation) → RELEASED | ALREADY_CREDITED (the destination was
 *                       credited: nothing released, the machine finishes the move)
 *   cancelOutflow     → the transfer leaves the outflow window (compensation)
 *   recordOutcome     → activity
 *   ignoreDecision    → log
 *
 * Compensation is the machine's: whatever ends a transfer after the reservation (rejection,
 * expiry, an operator's cancel, a destination that cannot be credited) passes through `releasing`, which undoes, in
 * reverse order, what was done: release the reservation, then give back its share of the window.
 *
 * Deterministic: time only from `context.df.currentUtcDateTime`, no I/O, no randomness.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task, TimerTask } from 'durable-functions';
import {
  ACTIVITY,
  type ActivityContext,
  type ActivityInput,
  type ActivityKey,
  type ActivityResult,
} from '../activities/contracts';
import {
  advanceTransfer,
  cancelEvent,
  decisionEvent,
  isCancellable,
  isFinished,
  parseDurationMs,
  startTransfer,
  transferStatus,
  type TimerEvent,
  type TransferEffect,
  type TransferInput,
  type TransferMachineEvent,
  type TransferMachineInput,
  type TransferResult,
  type TransferSnapshot,
} from '../domain';
import { OUTFLOW_WINDOW_ENTITY, type AssessOutflow, type OutflowAssessment } from '../entities/contracts';
import {
  APPROVAL_DECISION_EVENT,
  ApprovalDecisionSchema,
  CANCEL_TRANSFER_EVENT,
  CancelTransferEventSchema,
  TransferProcessInputSchema,
  type TransferProcessInput,
} from './contracts';
import { outflowWindowMode, type OutflowWindowMode } from './outflowWindow';

/** Transient failures: first retry after 1 s, then 2 s, 4 s, 8 s; at most 5 attempts. */
export function activityRetryOptions(): df.RetryOptions {
  const options = new df.RetryOptions(1_000, 5);
  options.backoffCoefficient = 2;
  return options;
}

/**
 * When an activity has failed every attempt of its retry policy (the store was down throughout),
 * the process waits, from this long doubling up to {@link PERSIST_MAX_WAIT_MS}, and runs it again
 * rather than failing: every activity is idempotent, and a process that fails mid-way would strand
 * a reservation, or a credited destination whose source was never captured (money created).
 */
export const PERSIST_FIRST_WAIT_MS = 60_000;
export const PERSIST_MAX_WAIT_MS = 60 * 60_000;

/** What the process shows in its custom status: the machine's view, approval deadline included. */
export type TransferProcessStatus = ReturnType<typeof transferStatus>;

type Work<T> = Generator<Task, T, unknown>;

/**
 * Thrown out of a retry wait when an operator's cancel ends it: the step's remaining work is not
 * done, and the cancel goes to the machine instead (see {@link TransferProcess.retryWait}).
 */
class CancelledWhileRetrying extends Error {
  constructor(readonly event: Extract<TransferMachineEvent, { type: 'CANCELLED' }>) {
    super('cancelled while an activity waited to be retried');
  }
}

/** The message of a failed task without the stack the SDK appends to it. */
function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/** The orchestrator function. Returns the final outcome `{outcome, reason}`. */
export const transferProcess: OrchestrationHandler = function* (
  context: OrchestrationContext,
): Work<TransferResult> {
  const input = TransferProcessInputSchema.parse(context.df.getInput());
  const run = new TransferProcess(context, input, outflowWindowMode());
  let step = run.advanced(startTransfer(machineInput(input)));
  for (;;) {
    run.showStatus(step.snapshot);
    run.standsAt(step.snapshot);
    let next: TransferMachineInput | undefined;
    try {
      for (const effect of step.effects) next = (yield* run.perform(effect)) ?? next;
    } catch (error) {
      if (!(error instanceof CancelledWhileRetrying)) throw error;
      next = error.event;
    }
    run.showStatus(step.snapshot);
    if (isFinished(step.snapshot))
      return { outcome: step.snapshot.context.outcome ?? 'failed', reason: step.snapshot.context.reason };
    // No work in flight: the machine waits for an approver or one of its timers.
    step = run.advanced(advanceTransfer(step.snapshot, next ?? (yield* run.awaitDecisionOrTimer())));
  }
};

/** The machine's input: the transfer and the policy captured when it was requested. */
export function machineInput(input: TransferProcessInput): TransferInput {
  const { transferId, fromAccountId, toAccountId, amount, requestedBy, policy } = input;
  return {
    transferId,
    fromAccountId,
    toAccountId,
    amount,
    requestedBy,
    approvalThreshold: policy.approvalThreshold,
    velocityThreshold: policy.velocityThreshold,
    approvalTimeoutMs: parseDurationMs(policy.approvalTimeout),
  };
}

interface OpenTimer {
  readonly fireAt: Date;
  readonly event: TimerEvent;
  task: TimerTask;
  /** Whether `task` already took part in a race (a task joins one `Task.any` only). */
  raced: boolean;
}

/** One run of the process: the effects' interpretation and the durable timers it has open. */
class TransferProcess {
  private readonly timers = new Map<string, OpenTimer>();
  /** When the machine last moved: its timers' delays count from then, so its deadline is when the deadline timer fires. */
  private movedAt: Date;
  /** Whether the machine, where it stands, takes an operator's cancel (before the destination is credited). */
  private cancellable = false;

  constructor(
    private readonly context: OrchestrationContext,
    private readonly input: TransferProcessInput,
    private readonly outflowWindow: OutflowWindowMode,
  ) {
    this.movedAt = this.now();
  }

  /** Notes when the machine took `step`, and returns it. */
  advanced<T>(step: T): T {
    this.movedAt = this.now();
    return step;
  }

  /** Notes where the machine stands while its step's work is performed. */
  standsAt(snapshot: TransferSnapshot): void {
    this.cancellable = isCancellable(snapshot);
  }

  showStatus(snapshot: TransferSnapshot): void {
    const status: TransferProcessStatus = transferStatus(snapshot);
    this.context.df.setCustomStatus(status);
  }

  /** Performs one effect; returns the machine event its result is, if it has one. */
  *perform(effect: TransferEffect): Work<TransferMachineInput | undefined> {
    switch (effect.kind) {
      case 'reserveFunds':
        return yield* this.reserve(effect);
      case 'requestApproval': {
        const { transferId, reason, deadline } = effect;
        yield* this.persistently('requestApproval', { transferId, reason, deadline });
        return undefined;
      }
      case 'sendReminder':
        try {
          const { transferId, reason, deadline } = effect;
          yield* this.call('sendReminder', { transferId, reason, deadline });
        } catch (error) {
          // A reminder is a courtesy: when it cannot go out even after the retries, the wait goes on.
          this.log(
            `transfer ${effect.transferId}: the approval reminder could not be sent: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        return undefined;
      case 'recordDecision': {
        const { kind: _kind, ...decision } = effect;
        yield* this.persistently('recordDecision', decision);
        return undefined;
      }
      case 'creditDestination': {
        const { transferId, fromAccountId, toAccountId, amount } = effect;
        const credited = yield* this.persistently('creditDestination', {
          transferId,
          fromAccountId,
          toAccountId,
          amount,
        });
        return credited.ok ? { type: 'CREDITED' } : { type: 'CREDIT_FAILED', reason: credited.reason };
      }
      case 'releaseFunds': {
        const { transferId, fromAccountId, toAccountId, reason } = effect;
        const released = yield* this.persistently('releaseFunds', {
          transferId,
          fromAccountId,
          toAccountId,
          reason,
        });
        if (!released.ok && released.reason === 'already_credited') {
          this.log(
            `transfer ${transferId}: ${toAccountId} was already credited; finishing the move (${reason})`,
          );
          return { type: 'ALREADY_CREDITED' };
        }
        if (!released.ok)
          throw new Error(
            `transfer ${transferId}: the reservation could not be released (${released.reason})`,
          );
        return { type: 'RELEASED' };
      }
      case 'cancelOutflow':
        if (this.outflowWindow === 'entity')
          yield this.context.df.callEntity(this.windowOf(effect.fromAccountId), 'cancel', {
            transferId: effect.transferId,
            ...this.traced(),
          });
        // In `stream` mode the release already took the transfer out of the window.
        return undefined;
      case 'recordOutcome': {
        const { kind: _kind, ...outcome } = effect;
        yield* this.persistently('recordOutcome', outcome);
        return undefined;
      }
      case 'ignoreDecision':
        this.log(
          `transfer ${effect.transferId}: ignored '${effect.decision}' by ${effect.approver} (${effect.reason})`,
        );
        return undefined;
      case 'startTimer': {
        const fireAt = new Date(this.movedAt.getTime() + effect.delayMs);
        this.timers.set(effect.id, {
          fireAt,
          event: effect.event,
          task: this.context.df.createTimer(fireAt),
          raced: false,
        });
        return undefined;
      }
      case 'cancelTimer': {
        const timer = this.timers.get(effect.id);
        if (timer && !timer.task.isCompleted) timer.task.cancel();
        this.timers.delete(effect.id);
        return undefined;
      }
    }
  }

  /**
   * The approval wait: a decision, an operator's cancel or the first timer, whichever comes first.
   * A malformed decision or cancel is logged and the wait goes on; a well-formed one goes to the
   * machine, which decides whether its approver may decide.
   */
  *awaitDecisionOrTimer(): Work<TransferMachineInput> {
    for (;;) {
      this.rearmRacedTimers();
      // External-event waits take no sequence number, so adding one leaves the ids of timers and activities as they were.
      const decision = this.context.df.waitForExternalEvent(APPROVAL_DECISION_EVENT);
      const cancel = this.context.df.waitForExternalEvent(CANCEL_TRANSFER_EVENT);
      const winner = yield this.context.df.Task.any([decision, cancel, ...this.raceTimers()]);
      const fired = [...this.timers.entries()].find(([, timer]) => timer.task === winner);
      if (fired) {
        this.timers.delete(fired[0]);
        return fired[1].event;
      }
      if (winner === cancel) {
        const parsed = CancelTransferEventSchema.safeParse(cancel.result);
        if (parsed.success) return cancelEvent(parsed.data);
        this.logMalformed(CANCEL_TRANSFER_EVENT, parsed.error.issues);
        continue;
      }
      const parsed = ApprovalDecisionSchema.safeParse(decision.result);
      if (parsed.success) return decisionEvent(parsed.data);
      this.logMalformed(APPROVAL_DECISION_EVENT, parsed.error.issues);
    }
  }

  private logMalformed(
    eventName: string,
    issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  ): void {
    this.log(
      `transfer ${this.input.transferId}: ignored a malformed ${eventName}: ${issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')}`,
    );
  }

  private *reserve(effect: Extract<TransferEffect, { kind: 'reserveFunds' }>): Work<TransferMachineInput> {
    const { transferId, fromAccountId, toAccountId, amount } = effect;
    const fromStream = this.outflowWindow === 'stream';
    const reserved = yield* this.persistently('reserveFunds', {
      transferId,
      fromAccountId,
      toAccountId,
      amount,
      windowFromStream: fromStream,
    });
    if (!reserved.ok) return { type: 'RESERVE_FAILED', reason: reserved.reason };
    const { sourceOwnerId } = reserved;
    if (fromStream) {
      if (reserved.windowTotal === undefined)
        throw new Error(
          `transfer ${transferId}: reserveFunds answered without the window total it was asked for`,
        );
      return { type: 'RESERVED', windowTotal: reserved.windowTotal, sourceOwnerId, at: this.nowIso() };
    }
    const assess: AssessOutflow = { transferId, amount, at: this.nowIso(), ...this.traced() };
    const assessment = (yield this.context.df.callEntity(
      this.windowOf(fromAccountId),
      'assess',
      assess,
    )) as OutflowAssessment;
    return { type: 'RESERVED', windowTotal: assessment.windowTotal, sourceOwnerId, at: this.nowIso() };
  }

  /**
   * A task joins one `Task.any` only (the SDK would schedule it again), so a timer that already
   * raced (the reminder fired, or a decision was ignored) is replaced by a new one firing at the
   * same instant: the deadline does not move.
   */
  private rearmRacedTimers(): void {
    for (const timer of this.timers.values()) {
      if (!timer.raced) continue;
      if (!timer.task.isCompleted) timer.task.cancel();
      timer.task = this.context.df.createTimer(timer.fireAt);
      timer.raced = false;
    }
  }

  private raceTimers(): TimerTask[] {
    return [...this.timers.values()].map((timer) => {
      timer.raced = true;
      return timer.task;
    });
  }

  /**
   * Runs an activity (with its retry policy) until it succeeds; see {@link PERSIST_FIRST_WAIT_MS}.
   * Between runs, an operator's cancel may end the wait ({@link retryWait}).
   */
  private *persistently<K extends ActivityKey>(
    activity: K,
    input: Omit<ActivityInput<K>, keyof ActivityContext>,
  ): Work<ActivityResult<K>> {
    for (let wait = PERSIST_FIRST_WAIT_MS; ; wait = Math.min(wait * 2, PERSIST_MAX_WAIT_MS)) {
      try {
        return yield* this.call(activity, input);
      } catch (error) {
        this.log(
          `transfer ${this.input.transferId}: ${ACTIVITY[activity]} failed every retry (${firstLine(error)}); trying again in ${wait / 1000} s`,
        );
      }
      yield* this.retryWait(this.after(wait));
    }
  }

  /**
   * Waits until `fireAt` to run a failed activity again. Where the machine takes a cancel (reserving,
   * awaiting approval, crediting: before the destination is credited), the wait races the
   * `CancelTransfer` event: a well-formed cancel ends it (thrown as {@link CancelledWhileRetrying}, no
   * activity being in flight), a malformed one is logged and the wait goes on until the same instant.
   */
  private *retryWait(fireAt: Date): Work<void> {
    if (!this.cancellable) {
      yield this.context.df.createTimer(fireAt);
      return;
    }
    for (;;) {
      const timer = this.context.df.createTimer(fireAt);
      const cancel = this.context.df.waitForExternalEvent(CANCEL_TRANSFER_EVENT);
      const winner = yield this.context.df.Task.any([timer, cancel]);
      if (winner === timer) return;
      timer.cancel();
      const parsed = CancelTransferEventSchema.safeParse(cancel.result);
      if (parsed.success) {
        this.log(`transfer ${this.input.transferId}: cancelled by ${parsed.data.cancelledBy} while retrying`);
        throw new CancelledWhileRetrying(cancelEvent(parsed.data));
      }
      this.logMalformed(CANCEL_TRANSFER_EVENT, parsed.error.issues);
    }
  }

  /** Calls an activity with its retry policy; the input gets the process's time and correlation. */
  private *call<K extends ActivityKey>(
    activity: K,
    input: Omit<ActivityInput<K>, keyof ActivityContext>,
  ): Work<ActivityResult<K>> {
    const context: ActivityContext = {
      at: this.nowIso(),
      correlationId: this.input.correlationId,
      causationId: this.input.causationId,
      ...(this.input.trace ? { trace: this.input.trace } : {}),
    };
    // The one place an activity's result is typed: the contract says what its handler returns.
    return (yield this.context.df.callActivityWithRetry(ACTIVITY[activity], activityRetryOptions(), {
      ...input,
      ...context,
    })) as ActivityResult<K>;
  }

  /** The process's trace, for an entity operation's input (plain data: the orchestrator stays deterministic). */
  private traced(): { trace?: { traceparent: string; tracestate?: string } } {
    return this.input.trace ? { trace: this.input.trace } : {};
  }

  private windowOf(accountId: string): df.EntityId {
    return new df.EntityId(OUTFLOW_WINDOW_ENTITY, accountId);
  }

  private now(): Date {
    return this.context.df.currentUtcDateTime;
  }

  private nowIso(): string {
    return this.now().toISOString();
  }

  private after(ms: number): Date {
    return new Date(this.now().getTime() + ms);
  }

  private log(message: string): void {
    if (!this.context.df.isReplaying) this.context.log(message);
  }
}
