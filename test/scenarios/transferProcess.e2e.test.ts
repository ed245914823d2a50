/**
 * The transfer process manager through the local host: the real orchestration, activities and
 * event store, the Durable HTTP API, and the virtual clock for the 24-hour approval wait.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HOUR, ProcessHarness } from './processHarness';

// Whole-host tests: generous under a loaded CI machine (they take well under a second each when idle).
jest.setTimeout(60_000);

describe('transferProcess on the local host', () => {
  let harness: ProcessHarness;

  beforeEach(async () => {
    harness = await ProcessHarness.start();
    await harness.openAccount('acc-alice', 'alice', 1_000_000);
    await harness.openAccount('acc-bob', 'bob');
  });
  afterEach(() => harness.stop());

  it('completes a small transfer: reserve, credit, capture, completed', async () => {
    await harness.requestTransfer({
      transferId: 'tr-small',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-bob',
      amount: 2_500,
      requestedBy: 'alice',
    });

    const status = await harness.status('tr-small');
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual({ outcome: 'completed', reason: null });
    expect(status.customStatus).toMatchObject({ state: 'completed' });
    expect(await harness.account('acc-alice')).toEqual({ available: 997_500, reserved: 0 });
    expect(await harness.account('acc-bob')).toEqual({ available: 2_500, reserved: 0 });
    expect(await harness.eventTypes('transfer-tr-small')).toEqual(['TransferRequested', 'TransferCompleted']);
    expect(await harness.eventTypes('account-acc-alice')).toEqual([
      'AccountOpened',
      'CreditsLoaded',
      'FundsReserved',
      'FundsTransferredOut',
    ]);
  });

  it('expires after 24 virtual hours without a decision and releases the reservation, reminding at 12', async () => {
    await harness.requestTransfer({
      transferId: 'tr-big',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-bob',
      amount: 150_000,
      requestedBy: 'alice',
    });
    expect((await harness.status('tr-big')).customStatus).toMatchObject({
      state: 'awaitingApproval',
      reminderSent: false,
      deadline: '2026-01-02T00:00:00.000Z',
    });
    expect(await harness.account('acc-alice')).toEqual({ available: 850_000, reserved: 150_000 });

    await harness.host.advance(12 * HOUR - 1);
    expect((await harness.status('tr-big')).customStatus).toMatchObject({
      state: 'awaitingApproval',
      reminderSent: false,
    });
    await harness.host.advance(1);
    expect((await harness.status('tr-big')).customStatus).toMatchObject({
      state: 'awaitingApproval',
      reminderSent: true,
    });

    await harness.host.advance(12 * HOUR);
    const status = await harness.status('tr-big');
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual({ outcome: 'expired', reason: 'approval_expired' });
    expect(await harness.account('acc-alice')).toEqual({ available: 1_000_000, reserved: 0 });
    expect(await harness.eventTypes('transfer-tr-big')).toEqual([
      'TransferRequested',
      'TransferApprovalRequested',
      'TransferExpired',
    ]);
  });

  it('completes after an approval raised through the Durable HTTP API, recording the approver', async () => {
    await harness.requestTransfer({
      transferId: 'tr-approve',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-bob',
      amount: 150_000,
      requestedBy: 'alice',
    });
    await harness.host.advance(3 * HOUR);

    expect(
      await harness.raiseDecision('tr-approve', { decision: 'approve', approver: 'carol', note: 'ok' }),
    ).toBe(202);
    const status = await harness.status('tr-approve');
    expect(status.output).toEqual({ outcome: 'completed', reason: null });
    expect(status.customStatus).toMatchObject({ state: 'completed', approver: 'carol' });
    expect(await harness.account('acc-bob')).toEqual({ available: 150_000, reserved: 0 });
    const transfer = await harness.stream('transfer-tr-approve');
    expect(transfer.map((e) => e.type)).toEqual([
      'TransferRequested',
      'TransferApprovalRequested',
      'TransferApproved',
      'TransferCompleted',
    ]);
    expect(transfer[2]).toMatchObject({
      id: 'tr-approve:approved',
      data: { approver: 'carol', note: 'ok' },
      metadata: { correlationId: 'corr-tr-approve' },
    });
    // The cancelled deadline never fires: a day later nothing has changed.
    await harness.host.advance(48 * HOUR);
    expect(await harness.eventTypes('transfer-tr-approve')).toHaveLength(4);
  });

  it('releases the reservation when the approver rejects', async () => {
    await harness.requestTransfer({
      transferId: 'tr-reject',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-bob',
      amount: 150_000,
      requestedBy: 'alice',
    });
    await harness.raiseDecision('tr-reject', { decision: 'reject', approver: 'carol' });

    expect((await harness.status('tr-reject')).output).toEqual({
      outcome: 'rejected',
      reason: 'rejected_by_approver',
    });
    expect(await harness.account('acc-alice')).toEqual({ available: 1_000_000, reserved: 0 });
    expect(await harness.account('acc-bob')).toEqual({ available: 0, reserved: 0 });
    const transfer = await harness.stream('transfer-tr-reject');
    expect(transfer.map((e) => e.type)).toEqual([
      'TransferRequested',
      'TransferApprovalRequested',
      'TransferRejected',
    ]);
    expect(transfer[2].data).toEqual({
      transferId: 'tr-reject',
      reason: 'rejected_by_approver',
      approver: 'carol',
    });
    expect(await harness.eventTypes('account-acc-alice')).toEqual([
      'AccountOpened',
      'CreditsLoaded',
      'FundsReserved',
      'FundsReleased',
    ]);
  });

  it('ignores decisions by the requester, the source owner and malformed ones, and keeps the same deadline', async () => {
    await harness.openAccount('acc-shared', 'dora', 1_000_000);
    await harness.requestTransfer({
      transferId: 'tr-forbidden',
      fromAccountId: 'acc-shared',
      toAccountId: 'acc-bob',
      amount: 150_000,
      requestedBy: 'erin',
    });
    await harness.host.advance(6 * HOUR);

    await harness.raiseDecision('tr-forbidden', { decision: 'approve', approver: 'erin' }); // the requester
    await harness.raiseDecision('tr-forbidden', { decision: 'approve', approver: 'dora' }); // the source's owner
    await harness.raiseDecision('tr-forbidden', { decision: 'maybe', approver: 'carol' }); // not a decision
    let status = await harness.status('tr-forbidden');
    expect(status.runtimeStatus).toBe('Running');
    expect(status.customStatus).toMatchObject({
      state: 'awaitingApproval',
      approver: null,
      deadline: '2026-01-02T00:00:00.000Z',
    });
    const logs = harness.host.logs.lines().join('\n');
    expect(logs).toMatch(/ignored 'approve' by erin \(approver_is_requester\)/);
    expect(logs).toMatch(/ignored 'approve' by dora \(approver_is_source_owner\)/);

    // The deadline did not move: the transfer expires exactly 24 hours after the request.
    await harness.host.advance(18 * HOUR - 1);
    expect((await harness.status('tr-forbidden')).runtimeStatus).toBe('Running');
    await harness.host.advance(1);
    status = await harness.status('tr-forbidden');
    expect(status.output).toEqual({ outcome: 'expired', reason: 'approval_expired' });
    expect(await harness.account('acc-shared')).toEqual({ available: 1_000_000, reserved: 0 });
  });

  it('applies the velocity rule: the third transfer of 900.00 within a day waits for approval', async () => {
    for (const n of [1, 2]) {
      await harness.requestTransfer({
        transferId: `tr-velocity-${n}`,
        fromAccountId: 'acc-alice',
        toAccountId: 'acc-bob',
        amount: 90_000,
        requestedBy: 'alice',
      });
      expect((await harness.status(`tr-velocity-${n}`)).output).toEqual({
        outcome: 'completed',
        reason: null,
      });
      await harness.host.advance(HOUR);
    }
    await harness.requestTransfer({
      transferId: 'tr-velocity-3',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-bob',
      amount: 90_000,
      requestedBy: 'alice',
    });
    expect((await harness.status('tr-velocity-3')).customStatus).toMatchObject({
      state: 'awaitingApproval',
      approvalReason: 'velocity',
    });
    expect((await harness.stream('transfer-tr-velocity-3'))[1].data).toMatchObject({ reason: 'velocity' });
  });

  it('lets a transfer through again once the earlier ones have left the 24-hour window', async () => {
    for (const n of [1, 2]) {
      await harness.requestTransfer({
        transferId: `tr-window-${n}`,
        fromAccountId: 'acc-alice',
        toAccountId: 'acc-bob',
        amount: 90_000,
        requestedBy: 'alice',
      });
    }
    await harness.host.advance(24 * HOUR);
    await harness.requestTransfer({
      transferId: 'tr-window-3',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-bob',
      amount: 90_000,
      requestedBy: 'alice',
    });
    expect((await harness.status('tr-window-3')).output).toEqual({ outcome: 'completed', reason: null });
  });

  it('rejects a transfer the source cannot cover, without touching any balance', async () => {
    await harness.requestTransfer({
      transferId: 'tr-poor',
      fromAccountId: 'acc-bob',
      toAccountId: 'acc-alice',
      amount: 1,
      requestedBy: 'bob',
    });
    expect((await harness.status('tr-poor')).output).toEqual({
      outcome: 'rejected',
      reason: 'insufficient_funds',
    });
    expect(await harness.eventTypes('transfer-tr-poor')).toEqual(['TransferRequested', 'TransferRejected']);
    expect(await harness.eventTypes('account-acc-bob')).toEqual(['AccountOpened']);
  });

  it('rejects a transfer to an unknown account before reserving', async () => {
    await harness.requestTransfer({
      transferId: 'tr-nowhere',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-ghost',
      amount: 100,
      requestedBy: 'alice',
    });
    expect((await harness.status('tr-nowhere')).output).toEqual({
      outcome: 'rejected',
      reason: 'account_not_found',
    });
    expect(await harness.account('acc-alice')).toEqual({ available: 1_000_000, reserved: 0 });
  });

  it('compensates when the destination closes while the transfer awaits approval', async () => {
    await harness.requestTransfer({
      transferId: 'tr-closed',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-bob',
      amount: 150_000,
      requestedBy: 'alice',
    });
    await harness.appendTo('account-acc-bob', [{ type: 'AccountClosed', data: { accountId: 'acc-bob' } }]);
    await harness.raiseDecision('tr-closed', { decision: 'approve', approver: 'carol' });

    expect((await harness.status('tr-closed')).output).toEqual({
      outcome: 'failed',
      reason: 'account_closed',
    });
    expect(await harness.account('acc-alice')).toEqual({ available: 1_000_000, reserved: 0 });
    expect(await harness.eventTypes('transfer-tr-closed')).toEqual([
      'TransferRequested',
      'TransferApprovalRequested',
      'TransferApproved',
      'TransferFailed',
    ]);
  });

  it('never overdraws: 20 concurrent transfers from an account that covers 5', async () => {
    await harness.openAccount('acc-five', 'frank', 100_000);
    await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        harness.requestTransfer({
          transferId: `tr-rush-${n}`,
          fromAccountId: 'acc-five',
          toAccountId: 'acc-bob',
          amount: 20_000,
          requestedBy: 'frank',
        }),
      ),
    );
    await harness.host.waitForIdle();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, async (_, n) => (await harness.status(`tr-rush-${n}`)).output?.outcome),
    );
    expect(outcomes.filter((o) => o === 'completed')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'rejected')).toHaveLength(15);
    expect(await harness.account('acc-five')).toEqual({ available: 0, reserved: 0 });
    expect(await harness.account('acc-bob')).toEqual({ available: 100_000, reserved: 0 });
  });
});

describe('transferProcess when approvers cannot be reminded', () => {
  it('keeps waiting and completes on approval after the reminder failed every retry', async () => {
    const harness = await ProcessHarness.start({}, { eventGrid: false });
    try {
      await harness.openAccount('acc-alice', 'alice', 1_000_000);
      await harness.openAccount('acc-bob', 'bob');
      await harness.requestTransfer({
        transferId: 'tr-quiet',
        fromAccountId: 'acc-alice',
        toAccountId: 'acc-bob',
        amount: 150_000,
        requestedBy: 'alice',
      });
      await harness.host.advance(12 * HOUR);
      // Five attempts 1 s, 2 s, 4 s, 8 s apart; the SDK reports the failure after one more interval (16 s).
      for (let second = 0; second < 32; second++) await harness.host.advance(1_000);

      expect(harness.host.logs.lines().join('\n')).toMatch(
        /tr-quiet: the approval reminder could not be sent/,
      );
      const history = (await harness.status('tr-quiet', '?showHistory=true')).historyEvents ?? [];
      expect(
        history.filter((e) => e.EventType === 'TaskFailed' && e.FunctionName === 'sendApprovalReminder'),
      ).toHaveLength(5);
      // The retry policy through the real SDK: 1 s, then doubling (the last interval only precedes the
      // reported failure); then the deadline, re-armed for the next wait at the same instant.
      expect(
        history
          .filter((e) => e.EventType === 'TimerCreated')
          .map((e) => e.FireAt)
          .slice(2),
      ).toEqual([
        ...['12:00:01', '12:00:03', '12:00:07', '12:00:15', '12:00:31'].map((t) => `2026-01-01T${t}.000Z`),
        '2026-01-02T00:00:00.000Z',
      ]);
      expect((await harness.status('tr-quiet')).customStatus).toMatchObject({
        state: 'awaitingApproval',
        reminderSent: true,
      });
      await harness.raiseDecision('tr-quiet', { decision: 'approve', approver: 'carol' });
      expect((await harness.status('tr-quiet')).output).toEqual({ outcome: 'completed', reason: null });
    } finally {
      await harness.stop();
    }
  });
});

describe('transferProcess across crashes', () => {
  it('appends once when the reservation activity is delivered again after its first run wrote', async () => {
    const harness = await ProcessHarness.start();
    try {
      await harness.openAccount('acc-alice', 'alice', 1_000_000);
      await harness.openAccount('acc-bob', 'bob');
      // A first delivery of reserveFunds wrote its event, then the worker died before reporting back.
      await harness.appendTo(
        'account-acc-alice',
        [{ type: 'FundsReserved', data: { accountId: 'acc-alice', transferId: 'tr-again', amount: 4_000 } }],
        ['tr-again:reserve'],
      );
      await harness.requestTransfer({
        transferId: 'tr-again',
        fromAccountId: 'acc-alice',
        toAccountId: 'acc-bob',
        amount: 4_000,
        requestedBy: 'alice',
      });

      expect((await harness.status('tr-again')).output).toEqual({ outcome: 'completed', reason: null });
      expect(await harness.eventTypes('account-acc-alice')).toEqual([
        'AccountOpened',
        'CreditsLoaded',
        'FundsReserved',
        'FundsTransferredOut',
      ]);
      expect(await harness.account('acc-alice')).toEqual({ available: 996_000, reserved: 0 });
      expect(await harness.account('acc-bob')).toEqual({ available: 4_000, reserved: 0 });
    } finally {
      await harness.stop();
    }
  });

  it('resumes a transfer awaiting approval after the host restarts on the same database', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'transfer-restart-'));
    const dataFile = path.join(dir, 'cardflow.db');
    try {
      const before = await ProcessHarness.start({}, { dataFile });
      await before.openAccount('acc-alice', 'alice', 1_000_000);
      await before.openAccount('acc-bob', 'bob');
      await before.requestTransfer({
        transferId: 'tr-restart',
        fromAccountId: 'acc-alice',
        toAccountId: 'acc-bob',
        amount: 150_000,
        requestedBy: 'alice',
      });
      await before.stop();

      const after = await ProcessHarness.start({}, { dataFile });
      try {
        expect((await after.status('tr-restart')).customStatus).toMatchObject({ state: 'awaitingApproval' });
        await after.raiseDecision('tr-restart', { decision: 'approve', approver: 'carol' });
        expect((await after.status('tr-restart')).output).toEqual({ outcome: 'completed', reason: null });
        expect(await after.account('acc-bob')).toEqual({ available: 150_000, reserved: 0 });
      } finally {
        await after.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
