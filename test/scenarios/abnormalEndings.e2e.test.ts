/**
 * No operator action or failure strands money (issue 13), over HTTP on the local test host as real
 * users: a transfer's process is terminated in each state it can wait in — reserving (the store
 * refuses the reservation for a while), awaiting approval, crediting (the store refuses the credit,
 * or the capture after the credit) — or fails for good (its outflow-window entity fails), or is
 * purged; after the reconciler's interval the transfer is final in its read model and the
 * approvals inbox, nothing is reserved, the outflow window counts only what moved money, and money
 * is conserved. A destination already credited is completed, never released.
 *
 * Failures are staged on the compiled classes the app runs (dist/), as in storeOutage.e2e.test.ts:
 * the store refusing appends of chosen event ids, the window entity failing for chosen transfers.
 */
import { LocalDocumentStore } from '@cardflow/local-host';
import { envelopeAll, type DomainEvent } from '../../domain';
import { ENDED_GRACE_MS } from '../../functions/reconcile/select';
import { outcomeOf, startApp, type App } from '../pipeline/harness';
import { stageAppends } from '../support/outage';

jest.setTimeout(120_000);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const compiledWindow = require('../../dist/domain/outflowWindow') as {
  assessOutflow: (...args: unknown[]) => unknown;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const compiledProcesses = require('../../dist/functions/transferProcessClient') as {
  TransferProcessClient: { prototype: { startOnce(input: { transferId: string }): Promise<boolean> } };
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DURABLE_API = '/runtime/webhooks/durabletask';
const LOAD = 1_000_000;

let app: App;
/** Appends carrying one of these event ids fail, as they would with the store unreachable. */
const refusedIds = new Set<string>();
/** Transfers whose outflow-window assessment throws (the entity fails). */
const brokenWindows = new Set<string>();
/** Transfers whose process cannot be started (the durable client is unreachable). */
const unstartable = new Set<string>();
/** Appends carrying one of these event ids wait for the test to let them through (a slow activity). */
const held = new Map<string, { entered: () => void; gate: Promise<void> }>();

/** Holds the append of `eventId` until `release()`; `entered` resolves when an activity is at it. */
function hold(eventId: string): { entered: Promise<void>; release: () => void } {
  let entered!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (entered = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  held.set(eventId, { entered, gate });
  return {
    entered: reached,
    release: () => {
      held.delete(eventId);
      release();
    },
  };
}

/** Polls `condition` in real time (for moments the host is not idle, so `settle` would wait for ever). */
async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let waited = 0; waited < 20_000; waited += 25) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  stageAppends(async (streamId, events) => {
    if (events.some((event) => refusedIds.has(event.id)))
      throw new Error(`the store is unreachable (staged for ${streamId})`);
    const slow = events.map((event) => held.get(event.id)).find((entry) => entry !== undefined);
    if (slow) {
      slow.entered();
      await slow.gate;
    }
  });
  const assess = compiledWindow.assessOutflow;
  jest.spyOn(compiledWindow, 'assessOutflow').mockImplementation((...args: unknown[]) => {
    const request = args[1] as { transferId: string };
    if (brokenWindows.has(request.transferId))
      throw new Error(`outflowWindow: staged failure for ${request.transferId}`);
    return assess(...args);
  });
  const startOnce = compiledProcesses.TransferProcessClient.prototype.startOnce;
  jest
    .spyOn(compiledProcesses.TransferProcessClient.prototype, 'startOnce')
    .mockImplementation(async function (this: unknown, input: { transferId: string }) {
      if (unstartable.has(input.transferId))
        throw new Error(`the durable client is unreachable (staged for ${input.transferId})`);
      return startOnce.call(this, input);
    });
  app = await startApp({ settings: { APPROVAL_THRESHOLD: '100000', VELOCITY_THRESHOLD: '250000' } });
});
afterAll(async () => {
  jest.restoreAllMocks();
  await app?.stop();
});

/** A source (alice's, loaded) and a destination (bob's, empty) of their own, so each case's balances are its own. */
async function accountsFor(name: string): Promise<{ from: string; to: string }> {
  const from = `acc-ab-${name}-a`;
  const to = `acc-ab-${name}-b`;
  for (const [accountId, ownerId] of [
    [from, 'alice'],
    [to, 'bob'],
  ]) {
    const opened = await app.post('/api/accounts', { accountId, ownerId, ownerName: ownerId, kind: 'user' });
    expect((await outcomeOf(app, opened)).status).toBe('succeeded');
  }
  const loaded = await app.post(`/api/accounts/${from}/loads`, { loadId: `load-ab-${name}`, amount: LOAD });
  expect((await outcomeOf(app, loaded)).status).toBe('succeeded');
  return { from, to };
}

async function requestTransfer(
  transferId: string,
  accounts: { from: string; to: string },
  amount: number,
): Promise<void> {
  const requested = await app.post('/api/transfers', {
    transferId,
    fromAccountId: accounts.from,
    toAccountId: accounts.to,
    amount,
    requestedBy: 'alice',
  });
  expect((await outcomeOf(app, requested)).status).toBe('succeeded');
}

async function balances(accountId: string): Promise<{ available: number; reserved: number }> {
  const { available, reserved } = (await app.get(`/api/accounts/${accountId}`)).body;
  return { available, reserved };
}

async function durable(path: string, method: 'POST' | 'DELETE' = 'POST'): Promise<number> {
  const response = await app.host.fetch(`${DURABLE_API}/instances/${path}`, { method });
  await response.text();
  return response.status;
}

/** An approval raised straight on the process (the Durable HTTP API), past the app's request-time checks. */
async function raiseApproval(transferId: string): Promise<void> {
  const response = await app.host.fetch(
    `${DURABLE_API}/instances/${transferId}/raiseEvent/ApprovalDecision`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve', approver: 'ada' }),
    },
  );
  await response.text();
  await app.settle();
}

async function processOf(transferId: string): Promise<{ runtimeStatus?: string; customStatus?: unknown }> {
  const answer = await app.get(`/api/transfers/${transferId}/process`);
  return answer.status === 404 ? {} : answer.body;
}

/** The transfers the source's outflow window counts (the entity's state). */
async function windowOf(accountId: string): Promise<string[]> {
  const response = await app.host.fetch(`${DURABLE_API}/entities/outflowWindow/${accountId}`);
  if (response.status === 404) return [];
  const state = (await response.json()) as { outflows: Array<{ transferId: string }> };
  return state.outflows.map((outflow) => outflow.transferId);
}

/** Past the reconciler's grace after an abnormal end (no activity of the ended process still runs) and its next run. */
async function afterReconcilerRuns(ms = ENDED_GRACE_MS + 2 * MINUTE): Promise<void> {
  await app.host.advance(ms);
  await app.settle();
}

async function eventTypes(streamId: string): Promise<string[]> {
  return (await app.stores.events.readStream(streamId)).map((event) => event.type);
}

/**
 * What every case ends with: the transfer final in its view and stream, the inbox agreeing,
 * nothing reserved, and the two accounts together holding exactly the load's net.
 */
async function expectFinal(
  transferId: string,
  accounts: { from: string; to: string },
  expected: { status: 'failed' | 'completed'; moved: number },
): Promise<void> {
  const view = (await app.get(`/api/transfers/${transferId}`)).body;
  expect(view).toMatchObject(
    expected.status === 'failed' ? { status: 'failed', reason: 'process_ended' } : { status: 'completed' },
  );
  if (expected.status === 'completed') expect(view.reason ?? null).toBeNull();
  const final = (await eventTypes(`transfer-${transferId}`)).filter((type) =>
    ['TransferCompleted', 'TransferRejected', 'TransferExpired', 'TransferFailed'].includes(type),
  );
  expect(final).toEqual([expected.status === 'failed' ? 'TransferFailed' : 'TransferCompleted']);

  const source = await balances(accounts.from);
  const destination = await balances(accounts.to);
  expect(source.reserved).toBe(0);
  expect(destination).toEqual({ available: expected.moved, reserved: 0 });
  const net = (await app.stores.events.readStream(`account-${accounts.from}`))
    .filter((event) => event.type === 'CreditsLoaded')
    .reduce((sum, event) => sum + (event.data as { net: number }).net, 0);
  expect(source.available + destination.available).toBe(net);
  expect(source.available).toBe(net - expected.moved);

  const asApprover = app.callers.as('ada', 'approver');
  const pending = (await app.get('/api/approvals', asApprover)).body.items as Array<{ transferId: string }>;
  expect(pending.map((item) => item.transferId)).not.toContain(transferId);
  const all = (await app.get('/api/approvals?status=all', asApprover)).body.items as Array<{
    transferId: string;
    status: string;
  }>;
  const entry = all.find((item) => item.transferId === transferId);
  // Only a transfer that asked for approval has an inbox entry; it shows the final state.
  if (entry) expect(entry.status).toBe(expected.status);

  // The window counts a transfer only when it moved money.
  if (expected.moved === 0) expect(await windowOf(accounts.from)).not.toContain(transferId);
}

/** A second pass appends nothing anywhere. */
async function expectNothingMoreHappens(transferId: string, accounts: { from: string; to: string }) {
  const streams = [`transfer-${transferId}`, `account-${accounts.from}`, `account-${accounts.to}`];
  const versions = await Promise.all(streams.map((s) => app.stores.events.streamVersion(s)));
  await afterReconcilerRuns(3 * MINUTE);
  expect(await Promise.all(streams.map((s) => app.stores.events.streamVersion(s)))).toEqual(versions);
}

describe('terminating a transfer’s process in each state it waits in', () => {
  it('reserving (the store refuses the reservation): nothing was reserved, the transfer fails process_ended', async () => {
    const accounts = await accountsFor('reserving');
    refusedIds.add('tr-ab-reserving:reserve');
    await requestTransfer('tr-ab-reserving', accounts, 150_000);
    expect((await processOf('tr-ab-reserving')).customStatus).toMatchObject({ state: 'reserving' });
    expect(await durable('tr-ab-reserving/terminate?reason=stuck')).toBe(202);
    await app.settle();
    // The store is back; the terminated process's retries do not come back with it.
    refusedIds.delete('tr-ab-reserving:reserve');
    await afterReconcilerRuns();
    await expectFinal('tr-ab-reserving', accounts, { status: 'failed', moved: 0 });
    expect(await eventTypes(`account-${accounts.from}`)).toEqual(['AccountOpened', 'CreditsLoaded']);
    await expectNothingMoreHappens('tr-ab-reserving', accounts);
  });

  it('awaiting approval: the reservation is released and the window share given back', async () => {
    const accounts = await accountsFor('waiting');
    await requestTransfer('tr-ab-waiting', accounts, 150_000);
    expect((await app.get('/api/transfers/tr-ab-waiting')).body.status).toBe('awaiting_approval');
    expect(await windowOf(accounts.from)).toEqual(['tr-ab-waiting']);
    expect(await balances(accounts.from)).toMatchObject({ reserved: 150_000 });
    await app.host.advance(HOUR);
    expect(await durable('tr-ab-waiting/terminate?reason=stuck')).toBe(202);
    await afterReconcilerRuns();
    await expectFinal('tr-ab-waiting', accounts, { status: 'failed', moved: 0 });
    expect(await windowOf(accounts.from)).toEqual([]);
    // An approval now is refused at once, and nothing happens past the old deadline.
    const late = await app.post('/api/transfers/tr-ab-waiting/decision', { decision: 'approve' });
    expect(late.status).toBe(409);
    await app.host.advance(24 * HOUR);
    await expectFinal('tr-ab-waiting', accounts, { status: 'failed', moved: 0 });
  });

  it('crediting, the destination not yet credited (the store refuses the credit): released, not moved', async () => {
    const accounts = await accountsFor('credit-in');
    refusedIds.add('tr-ab-credit-in:credit-in');
    await requestTransfer('tr-ab-credit-in', accounts, 40_000);
    await app.host.advance(40_000);
    expect((await processOf('tr-ab-credit-in')).customStatus).toMatchObject({ state: 'crediting' });
    expect(await balances(accounts.from)).toMatchObject({ reserved: 40_000 });
    expect(await durable('tr-ab-credit-in/terminate?reason=stuck')).toBe(202);
    await app.settle();
    refusedIds.delete('tr-ab-credit-in:credit-in');
    await afterReconcilerRuns();
    await expectFinal('tr-ab-credit-in', accounts, { status: 'failed', moved: 0 });
    expect(await eventTypes(`account-${accounts.to}`)).toEqual(['AccountOpened']);
    await expectNothingMoreHappens('tr-ab-credit-in', accounts);
  });

  it('crediting, the destination credited but the source not captured: completed, never released', async () => {
    const accounts = await accountsFor('credit-out');
    refusedIds.add('tr-ab-credit-out:credit-out');
    await requestTransfer('tr-ab-credit-out', accounts, 40_000);
    await app.host.advance(40_000);
    expect((await processOf('tr-ab-credit-out')).customStatus).toMatchObject({ state: 'crediting' });
    expect(await eventTypes(`account-${accounts.to}`)).toEqual(['AccountOpened', 'FundsTransferredIn']);
    expect(await durable('tr-ab-credit-out/terminate?reason=stuck')).toBe(202);
    await app.settle();
    refusedIds.delete('tr-ab-credit-out:credit-out');
    await afterReconcilerRuns();
    await expectFinal('tr-ab-credit-out', accounts, { status: 'completed', moved: 40_000 });
    const source = await app.stores.events.readStream(`account-${accounts.from}`);
    expect(source.map((e) => e.type)).toEqual([
      'AccountOpened',
      'CreditsLoaded',
      'FundsReserved',
      'FundsTransferredOut',
    ]);
    expect(source[3].id).toBe('tr-ab-credit-out:credit-out');
    // Money that moved stays in the window.
    expect(await windowOf(accounts.from)).toEqual(['tr-ab-credit-out']);
    expect(app.host.logs.lines().join('\n')).toMatch(/reconciler: transfer tr-ab-credit-out: .*completed/);
    await expectNothingMoreHappens('tr-ab-credit-out', accounts);
  });

  it('the source captured but the destination never credited: the destination is credited, completed', async () => {
    const accounts = await accountsFor('captured');
    await requestTransfer('tr-ab-captured', accounts, 150_000);
    expect(await durable('tr-ab-captured/terminate?reason=stuck')).toBe(202);
    await app.settle();
    // A capture without its credit (what a process that captured first would leave): money destroyed until it is credited.
    const streamId = `account-${accounts.from}`;
    const version = await app.stores.events.streamVersion(streamId);
    const capture: DomainEvent = {
      type: 'FundsTransferredOut',
      data: {
        accountId: accounts.from,
        transferId: 'tr-ab-captured',
        amount: 150_000,
        toAccountId: accounts.to,
      },
    };
    await app.stores.events.append(
      streamId,
      version,
      envelopeAll([capture], {
        streamId,
        expectedVersion: version,
        metadata: {
          correlationId: 'tr-ab-captured',
          causationId: 'test',
          occurredAt: new Date(app.host.clock.now()).toISOString(),
        },
        idPrefix: 'x',
        ids: ['tr-ab-captured:credit-out'],
      }),
    );
    await afterReconcilerRuns();
    await expectFinal('tr-ab-captured', accounts, { status: 'completed', moved: 150_000 });
    await expectNothingMoreHappens('tr-ab-captured', accounts);
  });
});

describe('an activity that outlives its terminated process', () => {
  it('credits the destination after the terminate: the reconciler waits out the grace, then completes the move; no money is created', async () => {
    const accounts = await accountsFor('outlives');
    await requestTransfer('tr-ab-outlives', accounts, 150_000);
    expect((await app.get('/api/transfers/tr-ab-outlives')).body.status).toBe('awaiting_approval');
    const credit = hold('tr-ab-outlives:credit-in');
    // Approved: the process credits the destination, and that activity is slow.
    const approved = await app.post('/api/transfers/tr-ab-outlives/decision', { decision: 'approve' });
    expect(approved.status).toBe(202);
    await credit.entered;
    expect(await durable('tr-ab-outlives/terminate?reason=stuck')).toBe(202);
    await until(
      async () => (await processOf('tr-ab-outlives')).runtimeStatus === 'Terminated',
      'the process to be terminated',
    );

    // The reconciler's runs while the activity still runs (the raw clock: the host is busy with it).
    await app.host.clock.advance(2 * MINUTE);
    await until(
      () => /reconciler: transfer tr-ab-outlives: process terminated/.test(app.host.logs.lines().join('\n')),
      'the reconciler to look at the transfer',
    );
    // Released now, the credit landing next would create money: it waits instead.
    expect(await balances(accounts.from)).toMatchObject({ reserved: 150_000 });
    expect(app.host.logs.lines().join('\n')).toMatch(
      /reconciler: transfer tr-ab-outlives: process terminated; left until \S+ \(an activity it started may still be running\)/,
    );
    expect(await eventTypes(`account-${accounts.from}`)).not.toContain('FundsReleased');

    // The activity finishes after its process ended: the credit lands, the reservation is captured.
    credit.release();
    await app.settle();
    expect(await eventTypes(`account-${accounts.to}`)).toEqual(['AccountOpened', 'FundsTransferredIn']);

    await afterReconcilerRuns();
    await expectFinal('tr-ab-outlives', accounts, { status: 'completed', moved: 150_000 });
    expect(await eventTypes(`account-${accounts.from}`)).not.toContain('FundsReleased');
    expect(app.host.logs.lines().join('\n')).toMatch(
      /reconciler: transfer tr-ab-outlives: process terminated; the money had moved, recorded completed/,
    );
    await expectNothingMoreHappens('tr-ab-outlives', accounts);
  });
});

describe('a process that fails for good', () => {
  it('(its window entity fails after the reservation) is finished by the reconciler; a rewind then moves no money', async () => {
    const accounts = await accountsFor('failed');
    brokenWindows.add('tr-ab-failed');
    await requestTransfer('tr-ab-failed', accounts, 150_000);
    expect((await processOf('tr-ab-failed')).runtimeStatus).toBe('Failed');
    expect(await balances(accounts.from)).toMatchObject({ reserved: 150_000 });
    await afterReconcilerRuns();
    await expectFinal('tr-ab-failed', accounts, { status: 'failed', moved: 0 });
    expect(app.host.logs.lines().join('\n')).toMatch(
      /reconciler: transfer tr-ab-failed: process failed .*recorded failed \(process_ended\)/,
    );

    // The entity is fixed and an operator rewinds the failed process: it runs on, but the transfer is final.
    brokenWindows.delete('tr-ab-failed');
    expect(await durable('tr-ab-failed/rewind?reason=fixed')).toBe(202);
    await app.settle();
    // A rewind runs failed activities again; this failure was the entity's answer, so the replay fails as before.
    expect((await processOf('tr-ab-failed')).runtimeStatus).toBe('Failed');
    await raiseApproval('tr-ab-failed');
    await app.host.advance(25 * HOUR);
    await expectFinal('tr-ab-failed', accounts, { status: 'failed', moved: 0 });
    expect(await windowOf(accounts.from)).toEqual([]);
  });
});

describe('a purged process', () => {
  it('while crediting with the destination credited: completed once the grace period has passed', async () => {
    const accounts = await accountsFor('purged');
    refusedIds.add('tr-ab-purged:credit-out');
    await requestTransfer('tr-ab-purged', accounts, 40_000);
    await app.host.advance(40_000);
    expect(await durable('tr-ab-purged/terminate?reason=stuck')).toBe(202);
    await app.settle();
    expect(await durable('tr-ab-purged', 'DELETE')).toBe(200);
    refusedIds.delete('tr-ab-purged:credit-out');
    await afterReconcilerRuns(2 * MINUTE);
    expect((await app.get('/api/transfers/tr-ab-purged')).body.status).toBe('requested');
    await afterReconcilerRuns(5 * MINUTE);
    await expectFinal('tr-ab-purged', accounts, { status: 'completed', moved: 40_000 });
  });
});

describe('a process that starts after the reconciler finished its transfer', () => {
  let documents: LocalDocumentStore;
  beforeAll(() => {
    documents = new LocalDocumentStore(app.host.db);
  });

  it('(its start was held past the grace period) reserves nothing and moves nothing', async () => {
    const accounts = await accountsFor('late');
    unstartable.add('tr-ab-late');
    await requestTransfer('tr-ab-late', accounts, 40_000);
    expect(await processOf('tr-ab-late')).toEqual({});
    await afterReconcilerRuns(7 * MINUTE);
    expect((await app.stores.events.readStream('transfer-tr-ab-late')).map((e) => e.type)).toEqual([
      'TransferRequested',
      'TransferFailed',
    ]);
    // The start goes through at last (the event handler's retried batch).
    unstartable.delete('tr-ab-late');
    await afterReconcilerRuns(2 * MINUTE);
    expect(await processOf('tr-ab-late')).toMatchObject({ runtimeStatus: 'Completed' });
    await expectFinal('tr-ab-late', accounts, { status: 'failed', moved: 0 });
    expect(await eventTypes(`account-${accounts.from}`)).toEqual(['AccountOpened', 'CreditsLoaded']);
    expect(await eventTypes(`account-${accounts.to}`)).toEqual(['AccountOpened']);
  });

  it('(purged, then its TransferRequested delivered again) neither reserves again nor credits', async () => {
    const accounts = await accountsFor('again');
    await requestTransfer('tr-ab-again', accounts, 150_000);
    expect(await durable('tr-ab-again/terminate?reason=stuck')).toBe(202);
    await app.settle();
    expect(await durable('tr-ab-again', 'DELETE')).toBe(200);
    await afterReconcilerRuns(7 * MINUTE);
    await expectFinal('tr-ab-again', accounts, { status: 'failed', moved: 0 });

    const requested = documents
      .container('cardflow', 'events', { partitionKeyPath: '/streamId' })
      .query({})
      .filter((doc) => (doc as { id?: string }).id === 'transfer-tr-ab-again:1');
    expect(requested).toHaveLength(1);
    await app.host.invoke({ functionName: 'eventHandler', triggerData: { json: JSON.stringify(requested) } });
    await app.settle();
    // Even a decision raised straight on the new process moves nothing.
    await raiseApproval('tr-ab-again');
    await app.host.advance(25 * HOUR);
    expect(await processOf('tr-ab-again')).toMatchObject({ runtimeStatus: 'Completed' });
    await expectFinal('tr-ab-again', accounts, { status: 'failed', moved: 0 });
    expect(await eventTypes(`account-${accounts.to}`)).toEqual(['AccountOpened']);
  });
});
