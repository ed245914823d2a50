/**
 * The reconciler on the local test host, as real users: a transfer awaiting approval whose process
 * is terminated (or terminated and purged) is finished by the first timer run once no activity of
 * the ended process can still be running (`ENDED_GRACE_MS` after it ended) — reservation released,
 * window share given back, `failed` with `process_ended` — with money conserved; a process still
 * waiting is left alone; and a second run changes nothing.
 */
import { outcomeOf, startApp, type App } from '../pipeline/harness';
import { OPEN_TRANSFERS_PARTITION } from '../../functions/projections/layout';
import { ENDED_GRACE_MS } from '../../functions/reconcile/select';

jest.setTimeout(120_000);

const MINUTE = 60_000;
const DURABLE_API = '/runtime/webhooks/durabletask';
const ACCOUNTS = ['acc-rc-alice', 'acc-rc-bob'];

let app: App;

beforeAll(async () => {
  app = await startApp({ settings: { APPROVAL_THRESHOLD: '100000', VELOCITY_THRESHOLD: '250000' } });
  for (const [accountId, ownerId] of [
    ['acc-rc-alice', 'alice'],
    ['acc-rc-bob', 'bob'],
  ]) {
    const opened = await app.post('/api/accounts', { accountId, ownerId, ownerName: ownerId, kind: 'user' });
    expect((await outcomeOf(app, opened)).status).toBe('succeeded');
  }
  const loaded = await app.post('/api/accounts/acc-rc-alice/loads', { loadId: 'load-rc', amount: 1_000_000 });
  expect((await outcomeOf(app, loaded)).status).toBe('succeeded');
});
afterAll(() => app?.stop());

async function requestTransfer(transferId: string, amount: number): Promise<void> {
  const requested = await app.post('/api/transfers', {
    transferId,
    fromAccountId: 'acc-rc-alice',
    toAccountId: 'acc-rc-bob',
    amount,
    requestedBy: 'alice',
  });
  expect((await outcomeOf(app, requested)).status).toBe('succeeded');
}

async function balances(accountId: string): Promise<{ available: number; reserved: number }> {
  const { available, reserved } = (await app.get(`/api/accounts/${accountId}`)).body;
  return { available, reserved };
}

/** What all accounts hold against the net of every load: equal when no money was created or lost. */
async function conserved(): Promise<void> {
  let held = 0;
  let loads = 0;
  for (const accountId of ACCOUNTS) {
    const { available, reserved } = await balances(accountId);
    held += available + reserved;
    for (const event of await app.stores.events.readStream(`account-${accountId}`))
      if (event.type === 'CreditsLoaded') loads += (event.data as { net: number }).net;
  }
  expect(held).toBe(loads);
}

async function durable(path: string, method: 'POST' | 'DELETE'): Promise<number> {
  const response = await app.host.fetch(`${DURABLE_API}/instances/${path}`, { method });
  await response.text();
  return response.status;
}

/** Lets the reconciler's timer fire past the grace after an abnormal end (and everything it caused settle). */
async function afterReconcilerRuns(ms = ENDED_GRACE_MS + 2 * MINUTE): Promise<void> {
  await app.host.advance(ms);
  await app.settle();
}

async function streamVersions(transferId: string): Promise<number[]> {
  return Promise.all(
    [`transfer-${transferId}`, ...ACCOUNTS.map((a) => `account-${a}`)].map((s) =>
      app.stores.events.streamVersion(s),
    ),
  );
}

async function expectFinishedByReconciler(transferId: string, before: { available: number }): Promise<void> {
  expect(await balances('acc-rc-alice')).toEqual({ available: before.available, reserved: 0 });
  expect(await balances('acc-rc-bob')).toEqual({ available: 0, reserved: 0 });
  await conserved();
  expect((await app.get(`/api/transfers/${transferId}`)).body).toMatchObject({
    status: 'failed',
    reason: 'process_ended',
  });
  const stream = await app.stores.events.readStream(`transfer-${transferId}`);
  expect(stream.map((e) => e.type)).toEqual([
    'TransferRequested',
    'TransferApprovalRequested',
    'TransferFailed',
  ]);
  expect(stream[2]).toMatchObject({
    id: `${transferId}:failed`,
    data: { transferId, reason: 'process_ended' },
  });
  const release = (await app.stores.events.readStream('account-acc-rc-alice')).find(
    (e) => e.type === 'FundsReleased' && (e.data as { transferId: string }).transferId === transferId,
  );
  expect(release?.data).toMatchObject({ amount: 150_000, reason: 'process_ended' });
  const pending = (await app.get('/api/approvals')).body.items as Array<{ transferId: string }>;
  expect(pending.map((item) => item.transferId)).not.toContain(transferId);
  const all = (await app.get('/api/approvals?status=all')).body.items as Array<{
    transferId: string;
    status: string;
  }>;
  expect(all.find((item) => item.transferId === transferId)).toMatchObject({ status: 'failed' });
  expect(app.host.logs.lines().join('\n')).toMatch(
    new RegExp(
      // One line, naming the transfer and the invocation as fields (telemetry/log.ts).
      `reconciler: transfer ${transferId}: process (terminated|gone).*recorded failed \\(process_ended\\) · transferId=${transferId} invocationId=`,
    ),
  );
}

describe('the reconciler', () => {
  it('leaves a process that still waits for approval alone', async () => {
    const before = await balances('acc-rc-alice');
    await requestTransfer('tr-rc-waiting', 150_000);
    const versions = await streamVersions('tr-rc-waiting');
    // Past the grace period too: a running process is never the reconciler's.
    await afterReconcilerRuns(10 * MINUTE);
    expect((await app.get('/api/transfers/tr-rc-waiting')).body.status).toBe('awaiting_approval');
    expect(await balances('acc-rc-alice')).toEqual({
      available: before.available - 150_000,
      reserved: 150_000,
    });
    expect(await streamVersions('tr-rc-waiting')).toEqual(versions);
    // Ends the wait, so the next tests start from no reservation.
    const rejected = await app.post('/api/transfers/tr-rc-waiting/decision', { decision: 'reject' });
    expect((await outcomeOf(app, rejected)).status).toBe('succeeded');
    expect(await balances('acc-rc-alice')).toEqual({ available: before.available, reserved: 0 });
  });

  it('finishes a terminated process: releases, gives the window back, records process_ended', async () => {
    const before = await balances('acc-rc-alice');
    await requestTransfer('tr-rc-terminated', 150_000);
    expect((await app.get('/api/transfers/tr-rc-terminated')).body.status).toBe('awaiting_approval');
    expect(await durable('tr-rc-terminated/terminate?reason=stuck', 'POST')).toBe(202);
    await app.settle();
    expect((await app.get('/api/transfers/tr-rc-terminated/process')).body.runtimeStatus).toBe('Terminated');

    // Within the grace an activity of the terminated process might still be running: left, and said so.
    await afterReconcilerRuns(2 * MINUTE);
    expect((await app.get('/api/transfers/tr-rc-terminated')).body.status).toBe('awaiting_approval');
    expect((await balances('acc-rc-alice')).reserved).toBe(150_000);
    expect(app.host.logs.lines().join('\n')).toMatch(
      /reconciler: transfer tr-rc-terminated: process terminated; left until \S+ \(an activity it started may still be running\)/,
    );

    await afterReconcilerRuns(ENDED_GRACE_MS);
    await expectFinishedByReconciler('tr-rc-terminated', before);

    // Running again changes nothing.
    const versions = await streamVersions('tr-rc-terminated');
    await afterReconcilerRuns();
    expect(await streamVersions('tr-rc-terminated')).toEqual(versions);
    await conserved();
  });

  it('finishes a purged process once the grace period has passed', async () => {
    const before = await balances('acc-rc-alice');
    await requestTransfer('tr-rc-purged', 150_000);
    expect(await durable('tr-rc-purged/terminate?reason=stuck', 'POST')).toBe(202);
    await app.settle();
    expect(await durable('tr-rc-purged', 'DELETE')).toBe(200);
    expect((await app.get('/api/transfers/tr-rc-purged/process')).status).toBe(404);

    // Within the grace period a missing process may be one about to start: left alone.
    await afterReconcilerRuns(2 * MINUTE);
    expect((await app.get('/api/transfers/tr-rc-purged')).body.status).toBe('awaiting_approval');
    expect((await balances('acc-rc-alice')).reserved).toBe(150_000);

    await afterReconcilerRuns(4 * MINUTE);
    await expectFinishedByReconciler('tr-rc-purged', before);

    const versions = await streamVersions('tr-rc-purged');
    await afterReconcilerRuns();
    expect(await streamVersions('tr-rc-purged')).toEqual(versions);
  });

  it('gave the window shares back: two transfers just under the thresholds complete without approval', async () => {
    // With the two reconciled 1 500.00 still counted, these would reach the 2 500.00 velocity threshold.
    for (const transferId of ['tr-rc-after-1', 'tr-rc-after-2']) {
      await requestTransfer(transferId, 99_999);
      expect((await app.get(`/api/transfers/${transferId}`)).body.status).toBe('completed');
    }
    await conserved();
  });

  it('reads one index of unfinished transfers, and drops an entry whose transfer has finished', async () => {
    // Every transfer above is final: the projection took each out of the index.
    expect(await app.stores.views.query(OPEN_TRANSFERS_PARTITION)).toEqual([]);
    await requestTransfer('tr-rc-indexed', 150_000);
    expect((await app.stores.views.query(OPEN_TRANSFERS_PARTITION)).map((entry) => entry.id)).toEqual([
      'tr-rc-indexed',
    ]);
    // A stale entry (a view write that raced the index) for a completed transfer.
    await app.stores.views.put({ id: 'tr-rc-after-1', pk: OPEN_TRANSFERS_PARTITION, view: 'open-transfer' });
    await afterReconcilerRuns();
    expect((await app.stores.views.query(OPEN_TRANSFERS_PARTITION)).map((entry) => entry.id)).toEqual([
      'tr-rc-indexed',
    ]);
    expect((await app.get('/api/transfers/tr-rc-after-1')).body.status).toBe('completed');
    const rejected = await app.post('/api/transfers/tr-rc-indexed/decision', { decision: 'reject' });
    expect((await outcomeOf(app, rejected)).status).toBe('succeeded');
    expect(await app.stores.views.query(OPEN_TRANSFERS_PARTITION)).toEqual([]);
  });
});
