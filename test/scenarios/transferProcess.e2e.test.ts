/**
 * The transfer process manager through the local host: the real orchestration, activities and
 * event store, the Durable HTTP API, and the virtual clock for the 24-hour approval wait.
 */
import { HOUR, ProcessHarness } from './processHarness';

describe('transferProcess on the local host', () => {
  let harness: ProcessHarness;

  beforeEach(async () => {
    harness = await ProcessHarness.start();
    await harness.openAccount('acc-alice', 'alice', 1_000_000);
    await harness.openAccount('acc-bob', 'bob');
  });
  afterEach(() => harness.stop());

  it('completes a small transfer: reserve, credit, capture, completed', async () => {
    await harness.requestTransfer({ transferId: 'tr-small', fromAccountId: 'acc-alice', toAccountId: 'acc-bob', amount: 2_500, requestedBy: 'alice' });

    const status = await harness.status('tr-small');
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual({ outcome: 'completed', reason: null });
    expect(status.customStatus).toMatchObject({ state: 'completed' });
    expect(await harness.account('acc-alice')).toEqual({ available: 997_500, reserved: 0 });
    expect(await harness.account('acc-bob')).toEqual({ available: 2_500, reserved: 0 });
    expect(await harness.eventTypes('transfer-tr-small')).toEqual(['TransferRequested', 'TransferCompleted']);
    expect(await harness.eventTypes('account-acc-alice')).toEqual(['AccountOpened', 'CreditsLoaded', 'FundsReserved', 'FundsTransferredOut']);
  });

  it('expires after 24 virtual hours without a decision and releases the reservation, reminding at 12', async () => {
    await harness.requestTransfer({ transferId: 'tr-big', fromAccountId: 'acc-alice', toAccountId: 'acc-bob', amount: 150_000, requestedBy: 'alice' });
    expect((await harness.status('tr-big')).customStatus).toMatchObject({ state: 'awaitingApproval', reminderSent: false, deadline: '2026-01-02T00:00:00.000Z' });
    expect(await harness.account('acc-alice')).toEqual({ available: 850_000, reserved: 150_000 });

    await harness.host.advance(12 * HOUR - 1);
    expect((await harness.status('tr-big')).customStatus).toMatchObject({ state: 'awaitingApproval', reminderSent: false });
    await harness.host.advance(1);
    expect((await harness.status('tr-big')).customStatus).toMatchObject({ state: 'awaitingApproval', reminderSent: true });

    await harness.host.advance(12 * HOUR);
    const status = await harness.status('tr-big');
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual({ outcome: 'expired', reason: 'approval_expired' });
    expect(await harness.account('acc-alice')).toEqual({ available: 1_000_000, reserved: 0 });
    expect(await harness.eventTypes('transfer-tr-big')).toEqual(['TransferRequested', 'TransferApprovalRequested', 'TransferExpired']);
  });
});
