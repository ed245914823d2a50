import { createActor, initialTransition, transition } from 'xstate';
import {
  advanceTransfer,
  ApprovalDecisionSchema,
  CancelTransferEventSchema,
  cancelEvent,
  decisionEvent,
  effectsOf,
  isCancellable,
  isFinished,
  isTimerEvent,
  persistTransfer,
  restoreTransfer,
  startTransfer,
  stateOf,
  TransferEffect,
  TransferInput,
  TransferMachineInput,
  transferMachine,
  TransferSnapshot,
  transferStatus,
} from '.';
import { DEADLINE, HOUR, REMINDER, reserved, smallTransfer } from '../test/transferInput';
import { NO_TRANSFER_INPUT } from './machine';

const input: TransferInput = smallTransfer;

/** Runs the machine through `events` with the pure API, collecting every effect on the way. */
function run(
  events: TransferMachineInput[],
  start: TransferInput = input,
): { snapshot: TransferSnapshot; effects: TransferEffect[]; last: TransferEffect[] } {
  const [first, firstActions] = initialTransition(transferMachine, start);
  let snapshot = first;
  let last = effectsOf(firstActions);
  const effects = [...last];
  for (const event of events) {
    const [next, actions] = transition(transferMachine, snapshot, event as never);
    snapshot = next;
    last = effectsOf(actions);
    effects.push(...last);
  }
  return { snapshot, effects, last };
}
const kinds = (effects: TransferEffect[]) => effects.map((e) => e.kind);

describe('transfer machine', () => {
  it('made without input, fails with the one NO_TRANSFER_INPUT error and never has a context', () => {
    // As the throwaway actor xstate's pure `transition` builds before every step is made.
    const actor = createActor(transferMachine, { input: undefined as unknown as TransferInput });
    const snapshot = actor.getSnapshot();
    expect(snapshot.status).toBe('error');
    expect(snapshot.error).toBe(NO_TRANSFER_INPUT);
    // The steps themselves run on their input and their snapshot as before.
    const { snapshot: after } = run([reserved(5_000)]);
    expect(after.status).toBe('active');
    expect(after.context.transferId).toBe(input.transferId);
  });

  it('starts by reserving the funds', () => {
    const { snapshot, effects } = run([]);
    expect(snapshot.value).toBe('reserving');
    expect(effects).toEqual([
      {
        kind: 'reserveFunds',
        transferId: 'tr-1',
        fromAccountId: 'acc-a',
        toAccountId: 'acc-b',
        amount: 5_000,
      },
    ]);
  });

  it('credits the destination straight away when the transfer is small and the window is quiet', () => {
    const { snapshot, last } = run([reserved(5_000)]);
    expect(snapshot.value).toBe('crediting');
    expect(last).toEqual([
      {
        kind: 'creditDestination',
        transferId: 'tr-1',
        fromAccountId: 'acc-a',
        toAccountId: 'acc-b',
        amount: 5_000,
      },
    ]);
  });

  it('completes once the destination is credited, and records the outcome', () => {
    const { snapshot, last } = run([reserved(5_000), { type: 'CREDITED' }]);
    expect(snapshot.value).toBe('completed');
    expect(snapshot.status).toBe('done');
    expect(snapshot.output).toEqual({ outcome: 'completed', reason: null });
    expect(last).toEqual([
      {
        kind: 'recordOutcome',
        transferId: 'tr-1',
        outcome: 'completed',
        reason: null,
        approver: null,
        note: null,
        deadline: null,
      },
    ]);
  });

  it('asks for approval when the amount reaches the threshold, with a reminder at half the timeout and a deadline', () => {
    const { snapshot, last } = run([reserved(100_000)], {
      ...input,
      amount: 100_000,
    });
    expect(snapshot.value).toBe('awaitingApproval');
    expect(last).toEqual([
      {
        kind: 'requestApproval',
        transferId: 'tr-1',
        reason: 'amount',
        deadline: '2026-01-02T00:00:00.000Z',
        windowTotal: 100_000,
      },
      {
        kind: 'startTimer',
        id: REMINDER,
        name: 'approvalReminder',
        delayMs: 12 * HOUR,
        event: { type: REMINDER },
      },
      {
        kind: 'startTimer',
        id: DEADLINE,
        name: 'approvalDeadline',
        delayMs: 24 * HOUR,
        event: { type: DEADLINE },
      },
    ]);
  });

  it('asks for approval when the 24-hour outflow, this transfer included, reaches the velocity threshold', () => {
    const { snapshot, last } = run([reserved(250_000)]);
    expect(snapshot.value).toBe('awaitingApproval');
    expect(last[0]).toMatchObject({ kind: 'requestApproval', reason: 'velocity', windowTotal: 250_000 });
    expect(transferStatus(snapshot)).toEqual({
      state: 'awaitingApproval',
      outcome: null,
      reason: null,
      approvalReason: 'velocity',
      approver: null,
      reminderSent: false,
      deadline: '2026-01-02T00:00:00.000Z',
    });
  });

  it('uses the timeout from its input for both timers', () => {
    const { last } = run([reserved(1e6)], { ...input, approvalTimeoutMs: 30_001 });
    expect(
      last.filter((e) => e.kind === 'startTimer').map((e) => (e.kind === 'startTimer' ? e.delayMs : 0)),
    ).toEqual([15_000, 30_001]);
  });

  it('sends a reminder at half the timeout without restarting or cancelling the deadline', () => {
    const { snapshot, last } = run([reserved(300_000), { type: REMINDER }]);
    expect(snapshot.value).toBe('awaitingApproval');
    expect(last).toEqual([
      { kind: 'sendReminder', transferId: 'tr-1', reason: 'velocity', deadline: '2026-01-02T00:00:00.000Z' },
    ]);
    expect(transferStatus(snapshot).reminderSent).toBe(true);
  });

  it('credits the destination when an approver approves, cancelling both timers', () => {
    const { snapshot, last } = run([reserved(300_000), { type: 'APPROVED', approver: 'carol', note: 'ok' }]);
    expect(snapshot.value).toBe('crediting');
    expect(kinds(last)).toEqual(['cancelTimer', 'cancelTimer', 'recordDecision', 'creditDestination']);
    expect(last.slice(0, 3)).toEqual([
      { kind: 'cancelTimer', id: REMINDER },
      { kind: 'cancelTimer', id: DEADLINE },
      { kind: 'recordDecision', transferId: 'tr-1', decision: 'approve', approver: 'carol', note: 'ok' },
    ]);
    const done = run([
      reserved(300_000),
      { type: 'APPROVED', approver: 'carol', note: 'ok' },
      { type: 'CREDITED' },
    ]);
    expect(done.last).toEqual([
      {
        kind: 'recordOutcome',
        transferId: 'tr-1',
        outcome: 'completed',
        reason: null,
        approver: 'carol',
        note: 'ok',
        deadline: '2026-01-02T00:00:00.000Z',
      },
    ]);
  });

  it('releases the reservation when the approver rejects, then ends rejected', () => {
    const rejecting = run([reserved(300_000), { type: 'REJECTED', approver: 'carol', note: 'no' }]);
    expect(rejecting.snapshot.value).toBe('releasing');
    expect(kinds(rejecting.last)).toEqual(['cancelTimer', 'cancelTimer', 'recordDecision', 'releaseFunds']);
    expect(rejecting.last[2]).toEqual({
      kind: 'recordDecision',
      transferId: 'tr-1',
      decision: 'reject',
      approver: 'carol',
      note: 'no',
    });
    expect(rejecting.last[3]).toEqual({
      kind: 'releaseFunds',
      transferId: 'tr-1',
      fromAccountId: 'acc-a',
      toAccountId: 'acc-b',
      amount: 5_000,
      reason: 'rejected_by_approver',
    });
    const { snapshot, effects: last } = advanceTransfer(rejecting.snapshot, { type: 'RELEASED' });
    expect(snapshot.value).toBe('rejected');
    expect(snapshot.output).toEqual({ outcome: 'rejected', reason: 'rejected_by_approver' });
    expect(last).toEqual([
      { kind: 'cancelOutflow', transferId: 'tr-1', fromAccountId: 'acc-a' },
      {
        kind: 'recordOutcome',
        transferId: 'tr-1',
        outcome: 'rejected',
        reason: 'rejected_by_approver',
        approver: 'carol',
        note: 'no',
        deadline: '2026-01-02T00:00:00.000Z',
      },
    ]);
  });

  it('releases the reservation at the deadline, then ends expired', () => {
    const expiring = run([reserved(300_000), { type: REMINDER }, { type: DEADLINE }]);
    expect(expiring.snapshot.value).toBe('releasing');
    expect(expiring.last.at(-1)).toMatchObject({ kind: 'releaseFunds', reason: 'approval_expired' });
    const { snapshot, effects: last } = advanceTransfer(expiring.snapshot, { type: 'RELEASED' });
    expect(snapshot.value).toBe('expired');
    expect(snapshot.output).toEqual({ outcome: 'expired', reason: 'approval_expired' });
    expect(kinds(last)).toEqual(['cancelOutflow', 'recordOutcome']);
  });

  const cancel = { type: 'CANCELLED', by: 'otto', note: 'customer called' } as const;

  it('releases the reservation when an operator cancels the wait, cancelling both timers, then ends failed', () => {
    const cancelling = run([reserved(300_000), cancel]);
    expect(cancelling.snapshot.value).toBe('releasing');
    expect(cancelling.last).toEqual([
      { kind: 'cancelTimer', id: REMINDER },
      { kind: 'cancelTimer', id: DEADLINE },
      {
        kind: 'releaseFunds',
        transferId: 'tr-1',
        fromAccountId: 'acc-a',
        toAccountId: 'acc-b',
        amount: 5_000,
        reason: 'cancelled_by_operator',
      },
    ]);
    expect(cancelling.snapshot.context.cancellation).toEqual({ by: 'otto', note: 'customer called' });
    const { snapshot, effects: last } = advanceTransfer(cancelling.snapshot, { type: 'RELEASED' });
    expect(snapshot.value).toBe('failed');
    expect(snapshot.output).toEqual({ outcome: 'failed', reason: 'cancelled_by_operator' });
    expect(last).toEqual([
      { kind: 'cancelOutflow', transferId: 'tr-1', fromAccountId: 'acc-a' },
      {
        kind: 'recordOutcome',
        transferId: 'tr-1',
        outcome: 'failed',
        reason: 'cancelled_by_operator',
        approver: null,
        note: null,
        deadline: '2026-01-02T00:00:00.000Z',
        cancellation: { by: 'otto', note: 'customer called' },
      },
    ]);
  });

  it('cancels after the reminder went out too, and the deadline timer with it', () => {
    const { snapshot, last } = run([reserved(300_000), { type: REMINDER }, cancel]);
    expect(snapshot.value).toBe('releasing');
    expect(last.filter((e) => e.kind === 'cancelTimer')).toEqual([
      { kind: 'cancelTimer', id: REMINDER },
      { kind: 'cancelTimer', id: DEADLINE },
    ]);
    // The cancel is the end of the wait: a late deadline or decision changes nothing.
    const after = run([
      reserved(300_000),
      cancel,
      { type: DEADLINE },
      { type: 'APPROVED', approver: 'carol' },
    ]);
    expect(after.snapshot.value).toBe('releasing');
    expect(after.snapshot.context.releaseReason).toBe('cancelled_by_operator');
    expect(after.last).toEqual([]);
  });

  it.each<[string, TransferMachineInput[]]>([
    ['reserving', []],
    ['crediting a small transfer', [reserved(5_000)]],
    ['crediting an approved transfer', [reserved(300_000), { type: 'APPROVED', approver: 'carol' }]],
  ])(
    'takes a cancel while %s (before the destination is credited): releases, then ends failed',
    (_state, events) => {
      const before = run(events);
      expect(isCancellable(before.snapshot)).toBe(true);
      const { snapshot, effects } = advanceTransfer(before.snapshot, cancel);
      expect(snapshot.value).toBe('releasing');
      expect(effects.filter((e) => e.kind !== 'cancelTimer')).toEqual([
        {
          kind: 'releaseFunds',
          transferId: 'tr-1',
          fromAccountId: 'acc-a',
          toAccountId: 'acc-b',
          amount: before.snapshot.context.amount,
          reason: 'cancelled_by_operator',
        },
      ]);
      const ended = advanceTransfer(snapshot, { type: 'RELEASED' });
      expect(ended.snapshot.output).toEqual({ outcome: 'failed', reason: 'cancelled_by_operator' });
      expect(ended.effects.at(-1)).toMatchObject({
        kind: 'recordOutcome',
        outcome: 'failed',
        reason: 'cancelled_by_operator',
        cancellation: { by: 'otto', note: 'customer called' },
      });
      // Cancelled while reserving: the window was never assessed, so there is no share to give back.
      expect(ended.effects.some((e) => e.kind === 'cancelOutflow')).toBe(events.length > 0);
    },
  );

  it('finishes the move when the release after a cancel finds the destination already credited', () => {
    const cancelling = run([reserved(5_000), cancel]);
    expect(cancelling.snapshot.value).toBe('releasing');
    const back = advanceTransfer(cancelling.snapshot, { type: 'ALREADY_CREDITED' });
    expect(back.snapshot.value).toBe('crediting');
    expect(back.snapshot.context).toMatchObject({ cancellation: null, releaseReason: null });
    expect(kinds(back.effects)).toEqual(['creditDestination']);
    const done = advanceTransfer(back.snapshot, { type: 'CREDITED' });
    expect(done.snapshot.output).toEqual({ outcome: 'completed', reason: null });
    expect(done.effects).toEqual([
      expect.objectContaining({ kind: 'recordOutcome', outcome: 'completed', reason: null }),
    ]);
    expect(done.effects[0]).not.toHaveProperty('cancellation');
  });

  it.each<[string, TransferMachineInput[]]>([
    ['releasing after a rejection', [reserved(300_000), { type: 'REJECTED', approver: 'carol' }]],
    ['completed', [reserved(5_000), { type: 'CREDITED' }]],
    ['rejected', [{ type: 'RESERVE_FAILED', reason: 'insufficient_funds' }]],
    ['expired', [reserved(300_000), { type: DEADLINE }, { type: 'RELEASED' }]],
  ])('ignores a cancel while %s', (_state, events) => {
    const before = run(events);
    expect(isCancellable(before.snapshot)).toBe(false);
    const { snapshot, effects } = advanceTransfer(before.snapshot, cancel);
    expect(effects).toEqual([]);
    expect(persistTransfer(snapshot)).toEqual(persistTransfer(before.snapshot));
    expect(snapshot.context.cancellation).toBeNull();
  });

  it.each([
    ['the requester', 'alice', 'approver_is_requester'],
    ['the owner of the source account', 'olga', 'approver_is_source_owner'],
  ])('ignores a decision by %s and keeps waiting', (_who, approver, reason) => {
    for (const type of ['APPROVED', 'REJECTED'] as const) {
      const { snapshot, last } = run([reserved(300_000), { type, approver }]);
      expect(snapshot.value).toBe('awaitingApproval');
      expect(snapshot.context.approver).toBeNull();
      expect(last).toEqual([
        {
          kind: 'ignoreDecision',
          transferId: 'tr-1',
          decision: type === 'APPROVED' ? 'approve' : 'reject',
          approver,
          reason,
        },
      ]);
    }
    // The deadline set before the ignored decision still ends the wait.
    const later = run([reserved(300_000), { type: 'APPROVED', approver }, { type: DEADLINE }]);
    expect(later.snapshot.value).toBe('releasing');
  });

  it('ignores a decision by the source owner the reservation reports, though its input did not know the owner', () => {
    const unknownOwner = { ...input, sourceOwnerId: undefined };
    const { snapshot, last } = run(
      [reserved(300_000, 'oscar'), { type: 'APPROVED', approver: 'oscar' }],
      unknownOwner,
    );
    expect(snapshot.value).toBe('awaitingApproval');
    expect(snapshot.context.sourceOwnerId).toBe('oscar');
    expect(last).toMatchObject([{ kind: 'ignoreDecision', reason: 'approver_is_source_owner' }]);
    // The owner is whoever the reservation reports: olga, who owned it when the input was made, may now decide.
    expect(run([reserved(300_000, 'oscar'), { type: 'APPROVED', approver: 'olga' }]).snapshot.value).toBe(
      'crediting',
    );
  });

  it('computes the approval deadline from the reservation’s time and the timeout, once', () => {
    const waiting = run([reserved(300_000)], { ...input, approvalTimeoutMs: 90 * 60_000 });
    expect(waiting.snapshot.context.deadline).toBe('2026-01-01T01:30:00.000Z');
    expect(waiting.last[0]).toMatchObject({ kind: 'requestApproval', deadline: '2026-01-01T01:30:00.000Z' });
    // The reminder and an ignored decision leave it as it was; expiry records it.
    const expired = run(
      [
        reserved(300_000),
        { type: REMINDER },
        { type: 'APPROVED', approver: 'alice' },
        { type: DEADLINE },
        { type: 'RELEASED' },
      ],
      { ...input, approvalTimeoutMs: 90 * 60_000 },
    );
    expect(expired.last.at(-1)).toMatchObject({
      kind: 'recordOutcome',
      outcome: 'expired',
      deadline: '2026-01-01T01:30:00.000Z',
    });
  });

  it('needs no deadline when the transfer needs no approval', () => {
    const { snapshot } = run([reserved(5_000)]);
    expect(snapshot.context).toMatchObject({ approvalReason: null, deadline: null, sourceOwnerId: 'olga' });
  });

  it('ends rejected with the reason when the funds cannot be reserved, releasing nothing', () => {
    const { snapshot, effects, last } = run([{ type: 'RESERVE_FAILED', reason: 'insufficient_funds' }]);
    expect(snapshot.value).toBe('rejected');
    expect(snapshot.output).toEqual({ outcome: 'rejected', reason: 'insufficient_funds' });
    expect(last).toEqual([
      {
        kind: 'recordOutcome',
        transferId: 'tr-1',
        outcome: 'rejected',
        reason: 'insufficient_funds',
        approver: null,
        note: null,
        deadline: null,
      },
    ]);
    expect(kinds(effects)).not.toContain('releaseFunds');
  });

  it('releases the reservation when the destination cannot be credited, then ends failed with that reason', () => {
    const { snapshot, effects } = run([
      reserved(5_000),
      { type: 'CREDIT_FAILED', reason: 'account_closed' },
      { type: 'RELEASED' },
    ]);
    expect(snapshot.value).toBe('failed');
    expect(snapshot.output).toEqual({ outcome: 'failed', reason: 'account_closed' });
    expect(effects.find((e) => e.kind === 'releaseFunds')).toMatchObject({ reason: 'account_closed' });
    expect(kinds(effects).slice(-2)).toEqual(['cancelOutflow', 'recordOutcome']);
  });

  it('ignores events its current state does not expect', () => {
    const { snapshot, last } = run([
      { type: 'CREDITED' },
      { type: 'RELEASED' },
      { type: 'APPROVED', approver: 'carol' },
      { type: DEADLINE },
    ]);
    expect(snapshot.value).toBe('reserving');
    expect(last).toEqual([]);
    const done = run([{ type: 'RESERVE_FAILED', reason: 'account_not_found' }, reserved(1)]);
    expect(done.snapshot.value).toBe('rejected');
    expect(done.last).toEqual([]);
  });
});

describe('transfer machine API for the orchestrator', () => {
  it('starts and advances with effects as data', () => {
    const started = startTransfer(input);
    expect(stateOf(started.snapshot)).toBe('reserving');
    expect(isFinished(started.snapshot)).toBe(false);
    const afterReservation = advanceTransfer(started.snapshot, reserved(1));
    const credited = advanceTransfer(afterReservation.snapshot, { type: 'CREDITED' });
    expect(isFinished(credited.snapshot)).toBe(true);
    expect(transferStatus(credited.snapshot)).toMatchObject({ state: 'completed', outcome: 'completed' });
  });

  it('persists and restores a snapshot in every state, continuing exactly as the original would', () => {
    const script: TransferMachineInput[] = [
      reserved(300_000),
      { type: REMINDER },
      { type: 'APPROVED', approver: 'alice' },
      { type: 'REJECTED', approver: 'carol' },
      { type: 'RELEASED' },
    ];
    let original = startTransfer(input).snapshot;
    for (const event of script) {
      const restored = restoreTransfer(JSON.parse(JSON.stringify(persistTransfer(original))));
      expect(persistTransfer(restored)).toEqual(persistTransfer(original));
      expect(restored.status).toBe(original.status);
      const fromOriginal = advanceTransfer(original, event);
      const fromRestored = advanceTransfer(restored, event);
      expect(fromRestored.effects).toEqual(fromOriginal.effects);
      expect(persistTransfer(fromRestored.snapshot)).toEqual(persistTransfer(fromOriginal.snapshot));
      original = fromOriginal.snapshot;
    }
    const final = restoreTransfer(JSON.parse(JSON.stringify(persistTransfer(original))));
    expect(final.value).toBe('rejected');
    expect(final.status).toBe('done');
    expect(final.output).toEqual({ outcome: 'rejected', reason: 'rejected_by_approver' });
  });

  it('refuses to restore something that is not a persisted transfer', () => {
    expect(() =>
      restoreTransfer({ value: 'flying', context: startTransfer(input).snapshot.context } as never),
    ).toThrow(/unknown state/);
    expect(() => restoreTransfer(null as never)).toThrow(/unknown state/);
  });

  it('turns an ApprovalDecision external event into a machine event', () => {
    const body = ApprovalDecisionSchema.parse({ decision: 'approve', approver: 'carol' });
    expect(decisionEvent(body)).toEqual({ type: 'APPROVED', approver: 'carol' });
    expect(decisionEvent({ decision: 'reject', approver: 'carol', note: 'no' })).toEqual({
      type: 'REJECTED',
      approver: 'carol',
      note: 'no',
    });
    expect(ApprovalDecisionSchema.safeParse({ decision: 'approve', approver: 'Carol!' }).success).toBe(false);
    expect(ApprovalDecisionSchema.safeParse({ decision: 'maybe', approver: 'carol' }).success).toBe(false);
  });

  it('turns a CancelTransfer external event into a machine event', () => {
    const body = CancelTransferEventSchema.parse({ cancelledBy: 'otto', note: '  fraud  ' });
    expect(cancelEvent(body)).toEqual({ type: 'CANCELLED', by: 'otto', note: 'fraud' });
    expect(CancelTransferEventSchema.safeParse({ cancelledBy: 'otto' }).success).toBe(false);
    expect(CancelTransferEventSchema.safeParse({ cancelledBy: 'otto', note: '' }).success).toBe(false);
    expect(CancelTransferEventSchema.safeParse({ cancelledBy: 'Otto!', note: 'x' }).success).toBe(false);
  });

  it('recognises timer events and refuses actions it does not know', () => {
    expect(isTimerEvent({ type: DEADLINE })).toBe(true);
    expect(isTimerEvent({ type: 'RESERVED' })).toBe(false);
    expect(() => effectsOf([{ type: 'launchRocket' }])).toThrow(/unknown transfer machine action/);
    expect(() => effectsOf([{ type: 'xstate.raise', params: { event: { type: 'PING' }, id: 'x' } }])).toThrow(
      /not a known timer/,
    );
  });
});
