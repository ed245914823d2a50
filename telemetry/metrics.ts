/**
 * The app's metrics (docs/observability.md). Instruments are made on first use, after the set-up
 * registered the meter provider (without one, the API's meters are no-ops).
 *
 *   cardflow.transfers                counter     transfers finished, by outcome (and reason)
 *   cardflow.transfer.duration        histogram   ms from request to the final event, by outcome
 *   cardflow.approval.wait            histogram   ms from approval requested to decision, by decision
 *   cardflow.commands                 counter     commands handled, by type and outcome
 *   cardflow.change_feed.lag          histogram   ms from a document's write to its handling, by container
 *   cardflow.eventgrid.deliveries     counter     Event Grid deliveries handled, by handler and outcome
 *   cardflow.dead_letters             counter     work given up on and dead-lettered, by kind
 */
import { metrics, type Counter, type Histogram } from '@opentelemetry/api';

const METER = 'cardflow';

interface Instruments {
  transfers: Counter;
  transferDuration: Histogram;
  approvalWait: Histogram;
  commands: Counter;
  changeFeedLag: Histogram;
  deliveries: Counter;
  deadLetters: Counter;
}

let instruments: Instruments | undefined;

function made(): Instruments {
  if (instruments) return instruments;
  const meter = metrics.getMeter(METER);
  const ms = { unit: 'ms' };
  instruments = {
    transfers: meter.createCounter('cardflow.transfers', { description: 'Transfers finished, by outcome' }),
    transferDuration: meter.createHistogram('cardflow.transfer.duration', {
      ...ms,
      description: 'From request to final event',
    }),
    approvalWait: meter.createHistogram('cardflow.approval.wait', {
      ...ms,
      description: 'From approval requested to decision',
    }),
    commands: meter.createCounter('cardflow.commands', {
      description: 'Commands handled, by type and outcome',
    }),
    changeFeedLag: meter.createHistogram('cardflow.change_feed.lag', {
      ...ms,
      description: 'From a document write to its handling',
    }),
    deliveries: meter.createCounter('cardflow.eventgrid.deliveries', {
      description: 'Event Grid deliveries handled',
    }),
    deadLetters: meter.createCounter('cardflow.dead_letters', { description: 'Work given up on, by kind' }),
  };
  return instruments;
}

/** Forgets the instruments (tests that register a new meter provider). */
export function resetMetrics(): void {
  instruments = undefined;
}

export const measure = {
  transferFinished(outcome: string, reason: string | null, durationMs: number): void {
    const attributes = reason ? { outcome, reason } : { outcome };
    made().transfers.add(1, attributes);
    if (Number.isFinite(durationMs) && durationMs >= 0)
      made().transferDuration.record(durationMs, { outcome });
  },
  approvalDecided(decision: string, waitMs: number): void {
    if (Number.isFinite(waitMs) && waitMs >= 0) made().approvalWait.record(waitMs, { decision });
  },
  commandHandled(type: string, outcome: string): void {
    made().commands.add(1, { type, outcome });
  },
  changeFeedLag(container: string, lagMs: number): void {
    if (Number.isFinite(lagMs)) made().changeFeedLag.record(Math.max(0, lagMs), { container });
  },
  delivery(handler: string, outcome: string): void {
    made().deliveries.add(1, { handler, outcome });
  },
  deadLettered(kind: string): void {
    made().deadLetters.add(1, { kind });
  },
};
