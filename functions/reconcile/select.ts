/**
 * What the reconciler does with one transfer, as pure functions: whether its process ended
 * abnormally (from the transfer's status, the process's runtime status and the transfer's age),
 * and, for one that did, what the money already did (so compensation never creates or destroys it).
 */
import type { TransferStatus } from '../../domain/transfer';

/** A process requested this recently may not have been started yet: "not found" is not "gone". */
export const GONE_GRACE_MS = 5 * 60_000;

/**
 * How long after a Terminated or Failed instance last changed (its status's `lastUpdatedTime`) the
 * reconciler waits before compensating it. Terminating (or failing) an orchestration does not stop
 * an activity it had started, on Azure or locally: a `creditDestination` still running could credit
 * the destination after the reconciler read the account streams and just before it releases, and
 * money would be created. No activity runs longer than the Functions host's `functionTimeout`,
 * whose maximum on the Consumption plan is 10 minutes (and which host.json does not raise), so 10
 * minutes after the instance's last update no activity it started is still running. The activities
 * themselves take milliseconds; their retry waits are the orchestrator's timers, which a terminated
 * instance no longer runs.
 */
export const ENDED_GRACE_MS = 10 * 60_000;

/** Transfer statuses the process has not finished: the only ones the reconciler looks at. */
export const OPEN_TRANSFER_STATUSES: readonly TransferStatus[] = [
  'requested',
  'awaiting_approval',
  'approved',
];

/** Runtime statuses of a process that ended without finishing its transfer. */
const ENDED_ABNORMALLY = new Set(['Terminated', 'Failed']);

export type ProcessState =
  | { exists: false }
  | {
      exists: true;
      runtimeStatus: string;
      /** When the instance last changed (epoch ms): for one that ended, when it ended. */
      lastUpdatedAt: number;
    };

export type Selection =
  | { action: 'leave'; why: string }
  /** Ended abnormally, but within {@link ENDED_GRACE_MS}: an activity may still be running; until `until` (epoch ms). */
  | { action: 'wait'; why: 'terminated' | 'failed'; until: number }
  | { action: 'compensate'; why: 'terminated' | 'failed' | 'gone' };

/**
 * Whether the reconciler acts on a transfer.
 *
 * @example
 * const process = { exists: true, runtimeStatus: 'Terminated', lastUpdatedAt: Date.parse('2026-01-01T00:00:00Z') };
 * selectAction({ transferStatus: 'awaiting_approval', process, ageMs: 0, now: Date.parse('2026-01-01T00:11:00Z') }) // compensate
 * selectAction({ transferStatus: 'awaiting_approval', process, ageMs: 0, now: Date.parse('2026-01-01T00:01:00Z') }) // wait
 */
export function selectAction(input: {
  transferStatus: TransferStatus;
  process: ProcessState;
  /** Since the transfer was requested. */
  ageMs: number;
  /** Epoch ms. */
  now: number;
  graceMs?: number;
  endedGraceMs?: number;
}): Selection {
  const {
    transferStatus,
    process,
    ageMs,
    now,
    graceMs = GONE_GRACE_MS,
    endedGraceMs = ENDED_GRACE_MS,
  } = input;
  if (!OPEN_TRANSFER_STATUSES.includes(transferStatus))
    return { action: 'leave', why: `the transfer is ${transferStatus}` };
  if (!process.exists)
    return ageMs > graceMs
      ? { action: 'compensate', why: 'gone' }
      : { action: 'leave', why: 'no process yet, within the grace period' };
  if (ENDED_ABNORMALLY.has(process.runtimeStatus)) {
    const why = process.runtimeStatus === 'Terminated' ? 'terminated' : 'failed';
    const until = process.lastUpdatedAt + endedGraceMs;
    return now < until ? { action: 'wait', why, until } : { action: 'compensate', why };
  }
  // Running, Pending, Suspended (and Completed: it recorded its own outcome) are the process's business.
  return { action: 'leave', why: `the process is ${process.runtimeStatus}` };
}

/** What the account streams say the transfer did with the money. */
export interface MoneyFacts {
  /** `FundsTransferredOut` on the source: the reservation was captured. */
  captured: boolean;
  /** `FundsTransferredIn` on the destination. */
  creditedIn: boolean;
  /** `FundsReleased` on the source: the reservation went back. */
  released: boolean;
}

/**
 * How an abnormally ended transfer is finished, so that the money is neither created nor destroyed:
 * - `release`: nothing reached the destination and nothing was captured; release the reservation
 *   (if any), give back the window share, record `TransferFailed {process_ended}`;
 * - `complete`: the money moved in full; record `TransferCompleted`;
 * - `finish`: the move was half done — the destination credited but the source not captured (the
 *   process ended between the two), or the source captured but the destination not credited —
 *   so it is finished through `creditDestination` (idempotent: it credits what is missing and
 *   captures the reservation) and recorded completed. Releasing instead would create money.
 * - `stuck`: the destination was credited and the reservation released: money was already
 *   created; left for a person (logged).
 */
export function compensationFor(facts: MoneyFacts): 'release' | 'complete' | 'finish' | 'stuck' {
  if (facts.captured && facts.creditedIn) return 'complete';
  if (facts.creditedIn && facts.released) return 'stuck';
  if (facts.captured || facts.creditedIn) return 'finish';
  return 'release';
}
