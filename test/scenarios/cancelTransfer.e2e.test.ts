/**
 * An operator cancels a transfer before its destination is credited, over HTTP on the local test
 * host as real users: while it waits for approval, or while the process waits to retry a failed
 * reservation or credit (the store refusing it), the process leaves its wait through the transfer
 * machine, releases the reservation, takes the transfer out of the outflow window, cancels its
 * timers and ends failed with `cancelled_by_operator`, naming the operator and the note. Once the
 * destination is credited a cancel is 409 `already_credited` (at request time when the view shows
 * it, else the command's outcome), and a cancel raised straight on such a process finishes the
 * move instead of releasing. Who may cancel, and when, is refused at request time.
 *
 * Store failures are staged on the compiled class the app runs (dist/), as in abnormalEndings.e2e.test.ts.
 */
import { outcomeOf, startApp, type App } from '../pipeline/harness';
import { stageAppends } from '../support/outage';

jest.setTimeout(120_000);

/** Appends carrying one of these event ids fail, as they would with the store unreachable. */
const refusedIds = new Set<string>();

const HOUR = 3_600_000;
const DURABLE_API = '/runtime/webhooks/durabletask';

let app: App;
const otto = () => app.callers.as('otto', 'operator');

beforeAll(async () => {
  stageAppends((streamId, events) => {
    if (events.some((event) => refusedIds.has(event.id)))
      throw new Error(`the store is unreachable (staged for ${streamId})`);
  });
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
afterAll(async () => {
  jest.restoreAllMocks();
  await app?.stop();
});

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

  it('is 409 already_credited once the transfer completed, and not_cancellable once it ended otherwise', async () => {
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

describe('cancelling while the process waits to retry a failed activity', () => {
  const accounts = (name: string) => ({ from: `acc-cr-${name}-a`, to: `acc-cr-${name}-b` });

  /** A source (alice's, loaded with 10 000.00) and an empty destination (bob's) of the case's own. */
  async function open(name: string): Promise<{ from: string; to: string }> {
    const { from, to } = accounts(name);
    for (const [accountId, ownerId] of [
      [from, 'alice'],
      [to, 'bob'],
    ]) {
      const opened = await app.post('/api/accounts', {
        accountId,
        ownerId,
        ownerName: ownerId,
        kind: 'user',
      });
      expect((await outcomeOf(app, opened)).status).toBe('succeeded');
    }
    const loaded = await app.post(`/api/accounts/${from}/loads`, {
      loadId: `load-cr-${name}`,
      amount: 1_000_000,
    });
    expect((await outcomeOf(app, loaded)).status).toBe('succeeded');
    return { from, to };
  }

  async function request(transferId: string, pair: { from: string; to: string }, amount: number) {
    const requested = await app.post('/api/transfers', {
      transferId,
      fromAccountId: pair.from,
      toAccountId: pair.to,
      amount,
      requestedBy: 'alice',
    });
    expect((await outcomeOf(app, requested)).status).toBe('succeeded');
  }

  const customStatus = async (transferId: string) =>
    (await app.get(`/api/transfers/${transferId}/process`)).body.customStatus as { state: string };

  async function expectConserved(pair: { from: string; to: string }, moved: number): Promise<void> {
    const source = await balances(pair.from);
    const destination = await balances(pair.to);
    expect(source.reserved).toBe(0);
    expect(destination).toEqual({ available: moved, reserved: 0 });
    expect(source.available + destination.available).toBe(await netLoads([pair.from, pair.to]));
  }

  async function windowOf(accountId: string): Promise<string[]> {
    const response = await app.host.fetch(`${DURABLE_API}/entities/outflowWindow/${accountId}`);
    if (response.status === 404) return [];
    return ((await response.json()) as { outflows: Array<{ transferId: string }> }).outflows.map(
      (outflow) => outflow.transferId,
    );
  }

  it('crediting (the store refuses the credit): released, failed with cancelled_by_operator, money conserved', async () => {
    const pair = await open('credit');
    refusedIds.add('tr-cr-credit:credit-in');
    await request('tr-cr-credit', pair, 40_000);
    // The credit failed every retry; the process waits a minute to run it again.
    await app.host.advance(40_000);
    expect(await customStatus('tr-cr-credit')).toMatchObject({ state: 'crediting' });
    expect((await app.get('/api/transfers/tr-cr-credit')).body.status).toBe('requested');
    expect(await balances(pair.from)).toMatchObject({ reserved: 40_000 });
    expect(await windowOf(pair.from)).toEqual(['tr-cr-credit']);

    const accepted = await cancel('tr-cr-credit', { note: 'the store is down, the customer gave up' });
    expect(accepted.status).toBe(202);
    expect(await outcomeOf(app, accepted)).toMatchObject({ type: 'CancelTransfer', status: 'succeeded' });
    expect((await app.get('/api/transfers/tr-cr-credit')).body).toMatchObject({
      status: 'failed',
      reason: 'cancelled_by_operator',
      cancelledBy: 'otto',
      cancelNote: 'the store is down, the customer gave up',
    });
    expect(await app.stores.events.readStream(`account-${pair.from}`)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'FundsReleased',
          data: expect.objectContaining({ transferId: 'tr-cr-credit', reason: 'cancelled_by_operator' }),
        }),
      ]),
    );
    await expectConserved(pair, 0);
    expect(await windowOf(pair.from)).toEqual([]);
    expect((await app.get('/api/transfers/tr-cr-credit/process')).body).toMatchObject({
      runtimeStatus: 'Completed',
      output: { outcome: 'failed', reason: 'cancelled_by_operator' },
    });

    // The store comes back: the cancelled retry does not run again, nothing reaches the destination.
    refusedIds.delete('tr-cr-credit:credit-in');
    await app.host.advance(3_600_000);
    expect((await app.stores.events.readStream(`account-${pair.to}`)).map((e) => e.type)).toEqual([
      'AccountOpened',
    ]);
    await expectConserved(pair, 0);
  });

  it('reserving (the store refuses the reservation): nothing is reserved, failed with cancelled_by_operator', async () => {
    const pair = await open('reserve');
    refusedIds.add('tr-cr-reserve:reserve');
    await request('tr-cr-reserve', pair, 150_000);
    await app.host.advance(40_000);
    expect(await customStatus('tr-cr-reserve')).toMatchObject({ state: 'reserving' });

    const accepted = await cancel('tr-cr-reserve', { note: 'stuck reserving' });
    expect(await outcomeOf(app, accepted)).toMatchObject({ status: 'succeeded' });
    expect((await app.get('/api/transfers/tr-cr-reserve')).body).toMatchObject({
      status: 'failed',
      reason: 'cancelled_by_operator',
    });
    refusedIds.delete('tr-cr-reserve:reserve');
    await app.host.advance(3_600_000);
    expect((await app.stores.events.readStream(`account-${pair.from}`)).map((e) => e.type)).toEqual([
      'AccountOpened',
      'CreditsLoaded',
    ]);
    await expectConserved(pair, 0);
  });

  it('after an approval, while the credit is retried: released, the window share given back', async () => {
    const pair = await open('approved');
    await request('tr-cr-approved', pair, 150_000);
    refusedIds.add('tr-cr-approved:credit-in');
    const approved = await app.post('/api/transfers/tr-cr-approved/decision', { decision: 'approve' });
    expect((await outcomeOf(app, approved)).status).toBe('succeeded');
    await app.host.advance(40_000);
    expect((await app.get('/api/transfers/tr-cr-approved')).body.status).toBe('approved');
    expect(await customStatus('tr-cr-approved')).toMatchObject({ state: 'crediting' });

    const accepted = await cancel('tr-cr-approved', { note: 'approved by mistake' });
    expect(await outcomeOf(app, accepted)).toMatchObject({ status: 'succeeded' });
    expect((await app.get('/api/transfers/tr-cr-approved')).body).toMatchObject({
      status: 'failed',
      reason: 'cancelled_by_operator',
    });
    refusedIds.delete('tr-cr-approved:credit-in');
    await expectConserved(pair, 0);
    expect(await windowOf(pair.from)).toEqual([]);
    const all = (await app.get('/api/approvals?status=all')).body.items as Array<{
      transferId: string;
      status: string;
    }>;
    expect(all.find((item) => item.transferId === 'tr-cr-approved')).toMatchObject({ status: 'failed' });
  });

  it('once the destination is credited (the capture is being retried): already_credited, and the move is finished', async () => {
    const pair = await open('credited');
    refusedIds.add('tr-cr-credited:credit-out');
    await request('tr-cr-credited', pair, 40_000);
    await app.host.advance(40_000);
    expect(await customStatus('tr-cr-credited')).toMatchObject({ state: 'crediting' });
    expect((await app.stores.events.readStream(`account-${pair.to}`)).map((e) => e.type)).toEqual([
      'AccountOpened',
      'FundsTransferredIn',
    ]);
    // The view does not show it (still requested): the request is accepted, the command refuses.
    expect((await app.get('/api/transfers/tr-cr-credited')).body.status).toBe('requested');
    const accepted = await cancel('tr-cr-credited', { note: 'too late' });
    expect(accepted.status).toBe(202);
    expect(await outcomeOf(app, accepted)).toMatchObject({ status: 'rejected', reason: 'already_credited' });

    // A cancel raised straight on the process (the Durable HTTP API, past the command's check): the
    // release refuses, since it would create money, and the process finishes the move instead.
    const raised = await app.host.fetch(`${DURABLE_API}/instances/tr-cr-credited/raiseEvent/CancelTransfer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ cancelledBy: 'otto', note: 'past the checks' }),
    });
    expect(raised.status).toBe(202);
    await app.settle();
    expect(await balances(pair.from)).toMatchObject({ reserved: 40_000 });
    expect(
      (await app.stores.events.readStream(`account-${pair.from}`)).some((e) => e.type === 'FundsReleased'),
    ).toBe(false);
    expect(await customStatus('tr-cr-credited')).toMatchObject({ state: 'crediting' });
    refusedIds.delete('tr-cr-credited:credit-out');
    await app.host.advance(5 * 60_000);
    expect((await app.get('/api/transfers/tr-cr-credited')).body).toMatchObject({ status: 'completed' });
    await expectConserved(pair, 40_000);
    expect(app.host.logs.lines().join('\n')).toMatch(
      /transfer tr-cr-credited: acc-cr-credited-b was already credited/,
    );
    // Completed now: refused at request time.
    const late = await cancel('tr-cr-credited', { note: 'later still' });
    expect(late.body).toMatchObject({ status: 409, code: 'already_credited' });
  });
});
