import { OUTFLOW_WINDOW_MS } from './approvalPolicy';
import { EventEnvelope } from './envelope';
import { Cents } from './money';

/** One outgoing transfer of a source account, as the velocity rule counts it. */
export interface Outflow {
  readonly transferId: string;
  readonly amount: Cents;
  /** When it was assessed, epoch ms. */
  readonly at: number;
  /** The window total (this transfer included) at its assessment, returned again on a repeat. */
  readonly windowTotal: Cents;
}

/**
 * A source account's outgoing transfers of the last 24 hours: the state of the `outflowWindow`
 * entity. Plain JSON so the entity can store it as is.
 */
export interface OutflowWindow {
  readonly outflows: readonly Outflow[];
}

export const emptyOutflowWindow: OutflowWindow = { outflows: [] };

/** What the window tells about a transfer: its source's outgoing total, this transfer included. Whether that needs approval is the transfer machine's to decide. */
export interface Assessment {
  readonly windowTotal: Cents;
}

/** Sum of the amounts in the window. */
export function outflowTotal(window: OutflowWindow): Cents {
  return window.outflows.reduce((sum, outflow) => sum + outflow.amount, 0);
}

/** Drops outflows older than `windowMs` before `now` (epoch ms); one exactly `windowMs` old has left the window. */
export function pruneOutflows(
  window: OutflowWindow,
  now: number,
  windowMs: number = OUTFLOW_WINDOW_MS,
): OutflowWindow {
  const kept = window.outflows.filter((outflow) => outflow.at > now - windowMs);
  return kept.length === window.outflows.length ? window : { outflows: kept };
}

/** Removes a transfer from the window (it was rejected, expired or failed, so it moved no money). */
export function cancelOutflow(window: OutflowWindow, transferId: string): OutflowWindow {
  const kept = window.outflows.filter((outflow) => outflow.transferId !== transferId);
  return kept.length === window.outflows.length ? window : { outflows: kept };
}

/**
 * Adds a transfer to the window (after pruning at `at`) and answers the window's total with it.
 * Idempotent per transfer id: assessing the same transfer again changes nothing and returns the
 * first answer, because the orchestrator's entity call may be delivered more than once.
 *
 * @example
 * const { window, assessment } = assessOutflow(emptyOutflowWindow, { transferId: 'tr-1', amount: 500, at: Date.parse('2026-01-01T00:00:00Z') });
 * // assessment: { windowTotal: 500 }
 */
export function assessOutflow(
  window: OutflowWindow,
  outflow: { transferId: string; amount: Cents; at: number },
  options: { windowMs?: number } = {},
): { window: OutflowWindow; assessment: Assessment } {
  const previous = window.outflows.find((existing) => existing.transferId === outflow.transferId);
  if (previous) return { window, assessment: { windowTotal: previous.windowTotal } };
  const pruned = pruneOutflows(window, outflow.at, options.windowMs ?? OUTFLOW_WINDOW_MS);
  const windowTotal = outflowTotal(pruned) + outflow.amount;
  return {
    window: { outflows: [...pruned.outflows, { ...outflow, windowTotal }] },
    assessment: { windowTotal },
  };
}

/**
 * The assessment of a transfer against the window its source's account stream shows at the
 * transfer's reservation: the reservations before it that were not released (the `stream` source of
 * the window, for a durable backend without entities). Only the stream before the reservation
 * counts, so a repeated call answers the same even after later transfers.
 */
export function assessOutflowFromStream(
  history: readonly EventEnvelope[],
  transfer: { transferId: string; amount: Cents; at: string },
): Assessment {
  const own = history.find(
    (event) => event.type === 'FundsReserved' && event.data.transferId === transfer.transferId,
  );
  const before = own ? history.slice(0, history.indexOf(own)) : history;
  // Built unpruned; the assessment below prunes once, at the reservation's own time.
  const unpruned = { windowMs: Number.POSITIVE_INFINITY };
  let window = emptyOutflowWindow;
  for (const event of before) {
    if (event.type === 'FundsReserved') {
      const outflow = {
        transferId: event.data.transferId,
        amount: event.data.amount,
        at: Date.parse(event.metadata.occurredAt),
      };
      window = assessOutflow(window, outflow, unpruned).window;
    }
    if (event.type === 'FundsReleased') window = cancelOutflow(window, event.data.transferId);
  }
  const at = Date.parse(own ? own.metadata.occurredAt : transfer.at);
  return assessOutflow(window, { transferId: transfer.transferId, amount: transfer.amount, at }).assessment;
}

/** How far an event's time may lag behind its place in a stream (orchestrations' clocks, racing appends). */
export const OUTFLOW_CLOCK_SKEW_MS = 60 * 60 * 1000;

/**
 * Whether the latest events of a source's stream (`events`, up to its end) reach back far enough
 * for {@link assessOutflowFromStream} to answer as it would on the whole stream: they hold the
 * transfer's reservation and start a window (and the tolerated skew) before it. Anything older
 * left the window before the reservation.
 */
export function coversOutflowWindow(
  events: readonly EventEnvelope[],
  transfer: { transferId: string },
  windowMs: number = OUTFLOW_WINDOW_MS,
): boolean {
  const own = events.find(
    (event) => event.type === 'FundsReserved' && event.data.transferId === transfer.transferId,
  );
  if (!own || events.length === 0) return false;
  return (
    Date.parse(events[0].metadata.occurredAt) <=
    Date.parse(own.metadata.occurredAt) - windowMs - OUTFLOW_CLOCK_SKEW_MS
  );
}
