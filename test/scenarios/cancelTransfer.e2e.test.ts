/**
 * An operator cancels a transfer that waits for approval, over HTTP on the local test host as real
 * users: the process leaves its wait through the transfer machine, releases the reservation, takes
 * the transfer out of the outflow window, cancels its timers and ends failed with
 * `cancelled_by_operator`, naming the operator and the note. Who may cancel, and when, is refused
 * at request time.
 */
import { outcomeOf, startApp, type App } from '../pipeline/harness';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const DURABLE_API = '/runtime/webhooks/durabletask';

let app: App;
const otto = () => app.callers.as('otto', 'operator');

beforeAll(async () => {
  app = await startApp({ settings: { APPROVAL_THRESHOLD: '100000', VELOCITY_THRESHOLD: '250000' } });
  for (const [accountId, ownerId] of [
    ['acc-cx-alice', 'alice'],
    ['acc-cx-bob', 'bob'],
    ['acc-cx-carol', 'carol'],
  ]) {
    const opened = await app.post('/api/accounts', { accountId, ownerId, ownerName: ownerId, kind: 'user' });
    expect((await outcomeOf(app, opened)).status).toBe('succeeded');
  }
  const loaded = await app.post('/api/accounts/acc-cx-alice/loads', { loadId: 'load-cx', amount: 1_000_000 });
  expect((await outcomeOf(app, loaded)).status).toBe('succeeded');
  // A second source, whose outflow window the cancels on alice's do not touch.
  const carols = await app.post('/api/accounts/acc-cx-carol/loads', { loadId: 'load-cx-c', amount: 500_000 });
  expect((await outcomeOf(app, carols)).status).toBe('succeeded');
});
afterAll(() => app?.stop());

async function requestTransfer(transferId: string, amount: number, from = 'alice'): Promise<void> {
  const requested = await app.post('/api/transfers', {
    transferId,
    fromAccountId: `acc-cx-${from}`,
    toAccountId: 'acc-cx-bob',
    amount,
    requestedBy: from,
  });
  expect((await outcomeOf(app, requested)).status).toBe('succeeded');
}

function cancel(transferId: string, body: unknown, headers: Record<string, string> = otto()) {
  return app.post(`/api/transfers/${transferId}/cancel`, body, headers);
}

async function balances(accountId: string): Promise<{ available: number; reserved: number }> {
  const { available, reserved } = (await app.get(`/api/accounts/${accountId}`)).body;
  return { available, reserved };
}

/** The net of every load, from the account streams: what all accounts together must hold. */
async function netLoads(accountIds: string[]): Promise<number> {
  let total = 0;
  for (const accountId of accountIds)
    for (const event of await app.stores.events.readStream(`account-${accountId}`))
      if (event.type === 'CreditsLoaded') total += (event.data as { net: number }).net;
  return total;
}

describe('cancelling a transfer awaiting approval', () => {
  it('releases the reservation, leaves the window, stops the timers and ends failed with cancelled_by_operator', async () => {
    const before = await balances('acc-cx-alice');
    await requestTransfer('tr-cx-wait', 150_000);
    expect((await app.get('/api/transfers/tr-cx-wait')).body.status).toBe('awaiting_approval');
    expect(await balances('acc-cx-alice')).toEqual({
      available: before.available - 150_000,
      reserved: 150_000,
    });
    await app.host.advance(HOUR);

    const accepted = await cancel('tr-cx-wait', { note: 'the customer called it off' });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ transferId: 'tr-cx-wait', commandId: expect.any(String) });
    expect(await outcomeOf(app, accepted)).toMatchObject({ type: 'CancelTransfer', status: 'succeeded' });

    // The money is back where it was, and nothing was created or lost.
    expect(await balances('acc-cx-alice')).toEqual({ available: before.available, reserved: 0 });
    expect(await balances('acc-cx-bob')).toEqual({ available: 0, reserved: 0 });
    const held = [await balances('acc-cx-alice'), await balances('acc-cx-bob')];
    expect(held.reduce((sum, b) => sum + b.available + b.reserved, 0)).toBe(
      await netLoads(['acc-cx-alice', 'acc-cx-bob']),
    );

    const transfer = (await app.get('/api/transfers/tr-cx-wait')).body;
    expect(transfer).toMatchObject({
      status: 'failed',
      reason: 'cancelled_by_operator',
      cancelledBy: 'otto',
      cancelNote: 'the customer called it off',
    });
    const stream = await app.stores.events.readStream('transfer-tr-cx-wait');
    expect(stream.map((e) => e.type)).toEqual([
      'TransferRequested',
      'TransferApprovalRequested',
      'TransferFailed',
    ]);
    expect(stream[2]).toMatchObject({
      id: 'tr-cx-wait:failed',
      data: {
        transferId: 'tr-cx-wait',
        reason: 'cancelled_by_operator',
        cancelledBy: 'otto',
        note: 'the customer called it off',
      },
    });
    const release = (await app.stores.events.readStream('account-acc-cx-alice')).find(
      (e) => e.type === 'FundsReleased',
    );
    expect(release?.data).toMatchObject({ transferId: 'tr-cx-wait', reason: 'cancelled_by_operator' });

    const process = (await app.get('/api/transfers/tr-cx-wait/process')).body;
    expect(process).toMatchObject({
      runtimeStatus: 'Completed',
      output: { outcome: 'failed', reason: 'cancelled_by_operator' },
    });

    // The inbox entry leaves pending.
    const pending = (await app.get('/api/approvals')).body.items as Array<{ transferId: string }>;
    expect(pending.map((item) => item.transferId)).not.toContain('tr-cx-wait');
    const all = (await app.get('/api/approvals?status=all')).body.items as Array<{
      transferId: string;
      status: string;
    }>;
    expect(all.find((item) => item.transferId === 'tr-cx-wait')).toMatchObject({ status: 'failed' });

    // The timers were cancelled: past the reminder and the deadline, nothing more happens.
    await app.host.advance(48 * HOUR);
    await app.settle();
    expect(await app.stores.events.streamVersion('transfer-tr-cx-wait')).toBe(3);
    expect(await balances('acc-cx-alice')).toEqual({ available: before.available, reserved: 0 });

    // Repeated, the same cancel is the same command, answered alike.
    const again = await cancel('tr-cx-wait', { note: 'the customer called it off' });
    expect(again.status).toBe(202);
    expect(again.body.commandId).toBe(accepted.body.commandId);
    // A decision on it now comes too late.
    const late = await app.post('/api/transfers/tr-cx-wait/decision', { decision: 'approve' });
    expect(late.body).toMatchObject({ status: 409, code: 'not_awaiting_approval' });
  });

  it('gives the transfer’s share of the 24-hour window back', async () => {
    // With the cancelled 1 500.00 still counted, the second 999.99 would reach the 2 500.00 velocity threshold.
    await requestTransfer('tr-cx-velocity', 150_000);
    const accepted = await cancel('tr-cx-velocity', { note: 'duplicate request' });
    expect((await outcomeOf(app, accepted)).status).toBe('succeeded');
    expect((await app.get('/api/transfers/tr-cx-velocity')).body.status).toBe('failed');
    for (const transferId of ['tr-cx-after-1', 'tr-cx-after-2']) {
      await requestTransfer(transferId, 99_999);
      expect((await app.get(`/api/transfers/${transferId}`)).body.status).toBe('completed');
    }
  });

  it('ignores a malformed CancelTransfer raised straight on the process; the wait goes on', async () => {
    await requestTransfer('tr-cx-malformed', 150_000);
    const raised = await app.host.fetch(
      `${DURABLE_API}/instances/tr-cx-malformed/raiseEvent/CancelTransfer`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ cancelledBy: 'otto' }),
      },
    );
    expect(raised.status).toBe(202);
    await app.settle();
    expect(app.host.logs.lines().join('\n')).toMatch(/ignored a malformed CancelTransfer: note/);
    expect((await app.get('/api/transfers/tr-cx-malformed')).body.status).toBe('awaiting_approval');
    // A well-formed cancel still ends it.
    const accepted = await cancel('tr-cx-malformed', { note: 'stuck' });
    expect((await outcomeOf(app, accepted)).status).toBe('succeeded');
    expect((await app.get('/api/transfers/tr-cx-malformed')).body).toMatchObject({
      status: 'failed',
      reason: 'cancelled_by_operator',
    });
  });
});

describe('refusing a cancel', () => {
  beforeAll(() => requestTransfer('tr-cx-refuse', 150_000));

  it('is for operators only: customers and approvers 403, anonymous 401', async () => {
    for (const headers of [
      app.callers.as('alice', 'customer'),
      app.callers.as('bob', 'customer'),
      app.callers.as('ada', 'approver'),
    ]) {
      const answer = await cancel('tr-cx-refuse', { note: 'mine' }, headers);
      expect(answer.body).toMatchObject({ status: 403, code: 'forbidden' });
    }
    const anonymous = await app.host.fetch('/api/transfers/tr-cx-refuse/cancel', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'x' }),
    });
    expect(anonymous.status).toBe(401);
    expect((await app.get('/api/transfers/tr-cx-refuse')).body.status).toBe('awaiting_approval');
  });

  it('needs a note of 1 to 500 characters, and the canceller is the caller', async () => {
    for (const body of [{}, { note: '' }, { note: '   ' }, { note: 'x'.repeat(501) }]) {
      const answer = await cancel('tr-cx-refuse', body);
      expect(answer.body).toMatchObject({ status: 400, code: 'invalid_request' });
    }
    const empty = await app.host.fetch('/api/transfers/tr-cx-refuse/cancel', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...otto() },
    });
    expect(empty.status).toBe(400);
    const someoneElse = await cancel('tr-cx-refuse', { note: 'x', cancelledBy: 'oona' });
    expect(someoneElse.body).toMatchObject({ status: 400, code: 'identity_mismatch' });
    expect((await app.get('/api/transfers/tr-cx-refuse')).body.status).toBe('awaiting_approval');
  });

  it('is 404 for an unknown transfer', async () => {
    const answer = await cancel('tr-cx-nowhere', { note: 'x' });
    expect(answer.body).toMatchObject({ status: 404, code: 'transfer_not_found' });
  });

  it('is 409 already_credited once the transfer completed, and not_cancellable when it is not waiting', async () => {
    await requestTransfer('tr-cx-done', 1_000, 'carol');
    expect((await app.get('/api/transfers/tr-cx-done')).body.status).toBe('completed');
    const credited = await cancel('tr-cx-done', { note: 'too late' });
    expect(credited.body).toMatchObject({ status: 409, code: 'already_credited' });

    await requestTransfer('tr-cx-rejected', 150_000, 'carol');
    const rejected = await app.post('/api/transfers/tr-cx-rejected/decision', { decision: 'reject' });
    expect((await outcomeOf(app, rejected)).status).toBe('succeeded');
    expect((await app.get('/api/transfers/tr-cx-rejected')).body.status).toBe('rejected');
    const notWaiting = await cancel('tr-cx-rejected', { note: 'too late' });
    expect(notWaiting.body).toMatchObject({ status: 409, code: 'not_cancellable' });
  });
});
