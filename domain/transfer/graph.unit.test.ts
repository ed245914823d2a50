import { initialTransition, transition } from 'xstate';
import { getAdjacencyMap, getSimplePaths } from 'xstate/graph';
import { mayDecide } from '../approvalPolicy';
import { ReasonCode } from '../reasons';
import {
  effectsOf,
  TransferEffect,
  TransferInput,
  TransferMachineEvent,
  transferMachine,
  TransferOutcome,
} from '.';
import { DEADLINE, REMINDER, reserved, smallTransfer } from '../test/transferInput';

const base: TransferInput = smallTransfer;
// A small transfer (approval only through velocity) and one over the amount threshold.
const inputs: TransferInput[] = [base, { ...base, amount: 150_000 }];

/** Every result the durable work can report, decisions that must be ignored, an operator's cancel, and both timers firing. */
const eventsFor = (input: TransferInput): Array<TransferMachineEvent | { type: string }> => [
  reserved(input.amount),
  reserved(input.velocityThreshold),
  { type: 'RESERVE_FAILED', reason: 'insufficient_funds' },
  { type: 'RESERVE_FAILED', reason: 'account_closed' },
  { type: 'APPROVED', approver: 'carol' },
  { type: 'APPROVED', approver: 'alice' },
  { type: 'REJECTED', approver: 'carol', note: 'no' },
  { type: 'REJECTED', approver: 'olga' },
  { type: 'CANCELLED', by: 'otto', note: 'customer called' },
  { type: 'CREDITED' },
  { type: 'CREDIT_FAILED', reason: 'account_closed' },
  { type: 'CREDIT_FAILED', reason: 'account_not_found' },
  { type: 'RELEASED' },
  { type: 'ALREADY_CREDITED' },
  { type: REMINDER },
  { type: DEADLINE },
];

type AnyEvent = { type: string } & Partial<{
  approver: string;
  reason: ReasonCode;
  by: string;
  note: string;
}>;

/** The outcome the events on a path call for, derived independently of the machine. */
function expectedOutcome(
  input: TransferInput,
  events: AnyEvent[],
): { outcome: TransferOutcome; reason: ReasonCode | null } {
  const has = (type: string) => events.find((e) => e.type === type);
  const reserveFailed = has('RESERVE_FAILED');
  if (reserveFailed) return { outcome: 'rejected', reason: reserveFailed.reason ?? null };
  if (has('CREDITED')) return { outcome: 'completed', reason: null };
  const creditFailed = has('CREDIT_FAILED');
  if (creditFailed) return { outcome: 'failed', reason: creditFailed.reason ?? null };
  if (has('CANCELLED')) return { outcome: 'failed', reason: 'cancelled_by_operator' };
  const effectiveRejection = events.find(
    (e) =>
      e.type === 'REJECTED' &&
      mayDecide({
        approver: e.approver ?? '',
        requestedBy: input.requestedBy,
        sourceOwnerId: input.sourceOwnerId,
      }).ok,
  );
  if (effectiveRejection) return { outcome: 'rejected', reason: 'rejected_by_approver' };
  if (has(DEADLINE)) return { outcome: 'expired', reason: 'approval_expired' };
  throw new Error(`no outcome for ${events.map((e) => e.type).join(' → ')}`);
}

/** The events of a path, without the initial pseudo-event the graph adds. */
function eventsOf(steps: ReadonlyArray<{ event: { type: string } }>): AnyEvent[] {
  return steps.map((step) => step.event as AnyEvent).filter((event) => event.type !== 'xstate.init');
}

/** Replays a path with the pure API, returning every effect it produced. */
function effectsAlong(input: TransferInput, events: AnyEvent[]): TransferEffect[] {
  const [first, actions] = initialTransition(transferMachine, input);
  const effects = effectsOf(actions);
  let snapshot = first;
  for (const event of events) {
    const [next, more] = transition(transferMachine, snapshot, event as TransferMachineEvent);
    effects.push(...effectsOf(more));
    snapshot = next;
  }
  return effects;
}

const pathsByInput = inputs.map((input) => {
  const options = { input, events: eventsFor(input) as TransferMachineEvent[] };
  const paths = getSimplePaths(transferMachine, options);
  return { input, options, paths, finalPaths: paths.filter((path) => path.state.status === 'done') };
});
const totalPaths = pathsByInput.reduce((sum, p) => sum + p.finalPaths.length, 0);

describe('transfer machine, model-based over xstate/graph simple paths', () => {
  it(`checks all ${totalPaths} simple paths to a final state (${pathsByInput.map((p) => p.finalPaths.length).join(' + ')})`, () => {
    // Counted by hand, so a traversal that silently loses paths fails here. From crediting: credited,
    // two credit failures, a cancel = 4 (ALREADY_CREDITED after a release from crediting returns to
    // the same crediting state, which a simple path does not visit twice; machine.unit.test.ts has it).
    // From awaitingApproval: approve then 4 crediting outcomes, reject, deadline, cancel, or reminder
    // then those 7 again = 14. Reserving: 2 reserve failures + a cancel = 3.
    // Small transfer: 3 + 4 crediting outcomes + 14 (velocity) = 21.
    // Large transfer: 3 + 14 for each of the two RESERVED (different window totals) = 31.
    expect(pathsByInput.map((p) => p.finalPaths.length)).toEqual([21, 31]);
    const seen = new Set<string>();
    for (const { input, finalPaths } of pathsByInput) {
      for (const path of finalPaths) {
        const events = eventsOf(path.steps);
        const label = events.map((e) => e.type.replace(/^xstate\.after\.(\w+)\..*$/, '$1')).join(' → ');
        seen.add(String(path.state.value));

        // Ends in a final state whose outcome matches the events on the path.
        expect({ label, output: path.state.output }).toEqual({
          label,
          output: expectedOutcome(input, events),
        });
        expect(path.state.context.outcome).toBe(path.state.output?.outcome);

        const effects = effectsAlong(input, events);
        const count = (kind: TransferEffect['kind']) => effects.filter((e) => e.kind === kind).length;
        const credited = events.some((e) => e.type === 'CREDITED');
        // Never both credits the destination and releases the reservation; exactly one of them once reserved.
        expect({ label, both: credited && count('releaseFunds') > 0 }).toEqual({ label, both: false });
        const wasReserved = events.some((e) => e.type === 'RESERVED');
        // A cancel while reserving releases whatever the retried reservation may have taken.
        const cancelledReserving = events[0]?.type === 'CANCELLED';
        expect({ label, settled: (credited ? 1 : 0) + count('releaseFunds') }).toEqual({
          label,
          settled: wasReserved || cancelledReserving ? 1 : 0,
        });
        expect(count('reserveFunds')).toBe(1);
        expect(count('creditDestination')).toBeLessThanOrEqual(1);
        // The outcome is recorded exactly once, as the very last effect.
        expect(count('recordOutcome')).toBe(1);
        expect(effects.at(-1)).toMatchObject({ kind: 'recordOutcome', outcome: path.state.output?.outcome });
        // Only a cancelled transfer's outcome names a canceller, and then the one who cancelled, with the note.
        const cancel = events.find((e) => e.type === 'CANCELLED');
        const recorded = effects.at(-1) as Extract<TransferEffect, { kind: 'recordOutcome' }>;
        expect({ label, cancellation: recorded.cancellation }).toEqual({
          label,
          cancellation: cancel ? { by: cancel.by, note: cancel.note } : undefined,
        });
        // A transfer that moved no money leaves the outflow window, if it entered it.
        expect(count('cancelOutflow')).toBe(wasReserved && !credited ? 1 : 0);
        // Each timer starts once and, by the end, has fired or been cancelled (the reminder never restarts the deadline).
        for (const timer of effects.filter((e) => e.kind === 'startTimer')) {
          expect(effects.filter((e) => e.kind === 'startTimer' && e.id === timer.id)).toHaveLength(1);
          const fired = events.some((e) => e.type === timer.event.type);
          const cancelled = effects.some((e) => e.kind === 'cancelTimer' && e.id === timer.id);
          expect({ label, timer: timer.name, settled: fired || cancelled }).toEqual({
            label,
            timer: timer.name,
            settled: true,
          });
        }
        expect(count('startTimer')).toBe(count('requestApproval') * 2);
      }
    }
    // Every outcome is reachable.
    expect([...seen].sort()).toEqual(['completed', 'expired', 'failed', 'rejected']);
  });

  it('has no dead ends: every state that is not final can move on to another state', () => {
    for (const { options } of pathsByInput) {
      const adjacency = getAdjacencyMap(transferMachine, options);
      const key = (state: { value: unknown; context: unknown }) =>
        JSON.stringify({ value: state.value, context: state.context });
      for (const { state, transitions } of Object.values(adjacency)) {
        const targets = (Object.values(transitions) as Array<{ state: typeof state }>).map((t) =>
          key(t.state),
        );
        if (state.status === 'done') {
          // Final states accept nothing more.
          expect(targets.every((target) => target === key(state))).toBe(true);
        } else {
          expect({ state: state.value, onward: targets.some((target) => target !== key(state)) }).toEqual({
            state: state.value,
            onward: true,
          });
        }
      }
    }
  });

  it('includes the paths the design names', () => {
    const labels = new Set(
      pathsByInput.flatMap(({ finalPaths }) =>
        finalPaths.map((p) =>
          eventsOf(p.steps)
            .map((e) => e.type.replace(/^xstate\.after\.(\w+)\..*$/, '$1'))
            .join(' '),
        ),
      ),
    );
    for (const expected of [
      'RESERVE_FAILED',
      'RESERVED CREDITED',
      'RESERVED CREDIT_FAILED RELEASED',
      'RESERVED APPROVED CREDITED',
      'RESERVED approvalReminder APPROVED CREDITED',
      'RESERVED REJECTED RELEASED',
      'RESERVED approvalDeadline RELEASED',
      'RESERVED approvalReminder approvalDeadline RELEASED',
      'RESERVED APPROVED CREDIT_FAILED RELEASED',
      'RESERVED CANCELLED RELEASED',
      'RESERVED approvalReminder CANCELLED RELEASED',
      'CANCELLED RELEASED',
      'RESERVED APPROVED CANCELLED RELEASED',
    ]) {
      expect(labels).toContain(expected);
    }
  });
});
