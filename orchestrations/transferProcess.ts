/**
 * The transfer process manager: one orchestration per transfer (instance id = transfer id), a thin
 * deterministic interpreter of the transfer machine (domain/transfer). The machine decides every
 * transition and hands back effects as data; this file turns each effect into durable work and
 * feeds the result back as a machine event:
 *
 *   reserveFunds      → activity, then the outflow window's assessment → RESERVED | RESERVE_FAILED
 *   requestApproval   → activity (records the deadline)
 *   startTimer        → durable timer; cancelTimer → cancel it
 *   (waiting)         → the approval decision raced against the open timers → APPROVED | REJECTED | timer event
 *   creditDestination → activity → CREDITED | CREDIT_FAILED
 *   releaseFunds      → activity (compensation) → RELEASED
 *   cancelOutflow     → the transfer leaves the outflow window (compensation)
 *   recordOutcome     → activity
 *
 * Compensation is the machine's: whatever ends a transfer after the reservation (rejection,
 * expiry, a destination that cannot be credited) passes through `releasing`, which undoes, in
 * reverse order, what was done: release the reservation, then give back its share of the window.
 *
 * Deterministic: time only from `context.df.currentUtcDateTime`, no I/O, no randomness.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task, TimerTask } from 'durable-functions';
import {
  ACTIVITY,
  type ActivityContext,
  type CreditDestinationResult,
  type ReleaseFundsResult,
  type ReserveFundsResult,
} from '../activities/contracts';
import {
  advanceTransfer,
  decisionEvent,
  isFinished,
  mayDecide,
  parseDurationMs,
  startTransfer,
  transferStatus,
  type ApprovalDecisionInput,
  type TimerEvent,
  type TransferEffect,
  type TransferMachineInput,
  type TransferResult,
  type TransferSnapshot,
} from '../domain';
import { OUTFLOW_WINDOW_ENTITY, type OutflowAssessment } from '../entities/outflowWindow';
import {
  APPROVAL_DECISION_EVENT,
  ApprovalDecisionSchema,
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

/** What the process shows in its custom status: the machine's view plus the approval deadline. */
export type TransferProcessStatus = ReturnType<typeof transferStatus> & { deadline: string | null };

type Work<T> = Generator<Task, T, unknown>;

/** The message of a failed task without the stack the SDK appends to it. */
function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/** The orchestrator function. Returns the final outcome `{outcome, reason}`. */
export const transferProcess: OrchestrationHandler = function* (
  context: OrchestrationContext,
): Work<TransferResult> {
  const run = new TransferProcess(
    context,
    TransferProcessInputSchema.parse(context.df.getInput()),
    outflowWindowMode(),
  );
  let step = startTransfer(run.machineInput());
  for (;;) {
    run.showStatus(step.snapshot);
    let next: TransferMachineInput | undefined;
    for (const effect of step.effects) next = (yield* run.perform(effect)) ?? next;
    run.showStatus(step.snapshot);
    if (isFinished(step.snapshot))
      return { outcome: step.snapshot.context.outcome ?? 'failed', reason: step.snapshot.context.reason };
    // No work in flight: the machine waits for an approver or one of its timers.
    step = advanceTransfer(step.snapshot, next ?? (yield* run.awaitDecisionOrTimer()));
  }
};

interface OpenTimer {
  readonly fireAt: Date;
  readonly event: TimerEvent;
  task: TimerTask;
  /** Whether `task` already took part in a race (a task joins one `Task.any` only). */
  raced: boolean;
}

/** One run of the process: the effects' interpretation and what the run learned on the way. */
class TransferProcess {
  private readonly timers = new Map<string, OpenTimer>();
  /** The source account's owner (from the reservation): may not decide on the transfer. */
  private sourceOwnerId: string | null = null;
  private deadline: string | null = null;

  constructor(
    private readonly context: OrchestrationContext,
    private readonly input: TransferProcessInput,
    private readonly outflowWindow: OutflowWindowMode,
  ) {}

  machineInput() {
    const { transferId, fromAccountId, toAccountId, amount, requestedBy, policy } = this.input;
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

  showStatus(snapshot: TransferSnapshot): void {
    const status: TransferProcessStatus = { ...transferStatus(snapshot), deadline: this.deadline };
    this.context.df.setCustomStatus(status);
  }

  /** Performs one effect; returns the machine event its result is, if it has one. */
  *perform(effect: TransferEffect): Work<TransferMachineInput | undefined> {
    switch (effect.kind) {
      case 'reserveFunds':
        return yield* this.reserve(effect);
      case 'requestApproval':
        this.deadline = this.after(effect.timeoutMs).toISOString();
        yield* this.persistently(ACTIVITY.requestApproval, {
          transferId: effect.transferId,
          reason: effect.reason,
          deadline: this.deadline,
        });
        return undefined;
      case 'sendReminder':
        try {
          yield this.activity(ACTIVITY.sendReminder, {
            transferId: effect.transferId,
            reason: effect.reason,
            deadline: this.deadline,
          });
        } catch (error) {
          // A reminder is a courtesy: when it cannot go out even after the retries, the wait goes on.
          this.log(
            `transfer ${effect.transferId}: the approval reminder could not be sent: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        return undefined;
      case 'creditDestination': {
        const { transferId, fromAccountId, toAccountId, amount } = effect;
        const credited = (yield* this.persistently(ACTIVITY.creditDestination, {
          transferId,
          fromAccountId,
          toAccountId,
          amount,
        })) as CreditDestinationResult;
        return credited.ok ? { type: 'CREDITED' } : { type: 'CREDIT_FAILED', reason: credited.reason };
      }
      case 'releaseFunds': {
        const { transferId, fromAccountId, reason } = effect;
        const released = (yield* this.persistently(ACTIVITY.releaseFunds, {
          transferId,
          fromAccountId,
          reason,
        })) as ReleaseFundsResult;
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
          });
        // In `stream` mode the release already took the transfer out of the window.
        return undefined;
      case 'recordOutcome': {
        const { transferId, outcome, reason, approver, note } = effect;
        yield* this.persistently(ACTIVITY.recordOutcome, {
          transferId,
          outcome,
          reason,
          approver,
          note,
          deadline: this.deadline,
        });
        return undefined;
      }
      case 'ignoreDecision':
        this.log(
          `transfer ${effect.transferId}: ignored '${effect.decision}' by ${effect.approver} (${effect.reason})`,
        );
        return undefined;
      case 'startTimer': {
        const fireAt = this.after(effect.delayMs);
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
   * The approval wait: a valid decision or the first timer, whichever comes first. A decision that
   * is malformed or comes from someone who may not decide is ignored; the wait goes on with the
   * same deadline.
   */
  *awaitDecisionOrTimer(): Work<TransferMachineInput> {
    for (;;) {
      this.rearmRacedTimers();
      const decision = this.context.df.waitForExternalEvent(APPROVAL_DECISION_EVENT);
      const winner = yield this.context.df.Task.any([decision, ...this.raceTimers()]);
      const fired = [...this.timers.entries()].find(([, timer]) => timer.task === winner);
      if (fired) {
        this.timers.delete(fired[0]);
        return fired[1].event;
      }
      const valid = this.validDecision(decision.result);
      if (valid) {
        yield* this.persistently(ACTIVITY.recordDecision, {
          transferId: this.input.transferId,
          ...valid,
          sourceOwnerId: this.sourceOwnerId,
        });
        return decisionEvent(valid);
      }
    }
  }

  private *reserve(effect: Extract<TransferEffect, { kind: 'reserveFunds' }>): Work<TransferMachineInput> {
    const { transferId, fromAccountId, toAccountId, amount } = effect;
    const { approvalThreshold, velocityThreshold } = this.input.policy;
    const reserved = (yield* this.persistently(ACTIVITY.reserveFunds, {
      transferId,
      fromAccountId,
      toAccountId,
      amount,
      approvalThreshold,
      velocityThreshold,
    })) as ReserveFundsResult;
    if (!reserved.ok) return { type: 'RESERVE_FAILED', reason: reserved.reason };
    this.sourceOwnerId = reserved.sourceOwnerId;
    if (this.outflowWindow === 'stream') return { type: 'RESERVED', windowTotal: reserved.windowTotal };
    const assessment = (yield this.context.df.callEntity(this.windowOf(fromAccountId), 'assess', {
      transferId,
      amount,
      at: this.now().toISOString(),
      approvalThreshold,
      velocityThreshold,
    })) as OutflowAssessment;
    return { type: 'RESERVED', windowTotal: assessment.windowTotal };
  }

  /** The decision if it is well-formed and its approver may decide (neither requester nor source owner); logs why not. */
  private validDecision(raw: unknown): ApprovalDecisionInput | null {
    const parsed = ApprovalDecisionSchema.safeParse(raw);
    if (!parsed.success) {
      this.log(
        `transfer ${this.input.transferId}: ignored a malformed ${APPROVAL_DECISION_EVENT}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
      return null;
    }
    const verdict = mayDecide({
      approver: parsed.data.approver,
      requestedBy: this.input.requestedBy,
      sourceOwnerId: this.sourceOwnerId,
    });
    if (!verdict.ok) {
      this.log(
        `transfer ${this.input.transferId}: ignored '${parsed.data.decision}' by ${parsed.data.approver} (${verdict.reason})`,
      );
      return null;
    }
    return parsed.data;
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

  /** Runs an activity (with its retry policy) until it succeeds; see {@link PERSIST_FIRST_WAIT_MS}. */
  private *persistently(name: string, input: object): Work<unknown> {
    for (let wait = PERSIST_FIRST_WAIT_MS; ; wait = Math.min(wait * 2, PERSIST_MAX_WAIT_MS)) {
      try {
        return yield this.activity(name, input);
      } catch (error) {
        this.log(
          `transfer ${this.input.transferId}: ${name} failed every retry (${firstLine(error)}); trying again in ${wait / 1000} s`,
        );
        yield this.context.df.createTimer(this.after(wait));
      }
    }
  }

  private activity(name: string, input: object): Task {
    const context: ActivityContext = {
      at: this.now().toISOString(),
      correlationId: this.input.correlationId,
      causationId: this.input.causationId,
    };
    return this.context.df.callActivityWithRetry(name, activityRetryOptions(), { ...input, ...context });
  }

  private windowOf(accountId: string): df.EntityId {
    return new df.EntityId(OUTFLOW_WINDOW_ENTITY, accountId);
  }

  private now(): Date {
    return this.context.df.currentUtcDateTime;
  }

  private after(ms: number): Date {
    return new Date(this.now().getTime() + ms);
  }

  private log(message: string): void {
    if (!this.context.df.isReplaying) this.context.log(message);
  }
}
