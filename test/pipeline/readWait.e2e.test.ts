/**
 * `GET /api/transfers/{id}` with `Prefer: wait=N` over real HTTP on the local test host: the read is
 * held until the transfer is final or awaiting approval (while it is unknown, requested or approved),
 * or until N seconds have passed, and says `Preference-Applied: wait=N`; other preferences are
 * ignored; a customer who may not read the transfer waits as for an unknown one.
 */
import { TRANSFER_VIEW_ID, transferPartition } from '../../functions/projections/layout';
import type { TransferView } from '../../functions/projections/transferView';
import { PROBLEM_JSON, outcomeOf, startApp, type App } from './harness';

jest.setTimeout(60_000);

let app: App;
beforeAll(async () => {
  app = await startApp();
  for (const [accountId, ownerId] of [
    ['acc-wa', 'walter'],
    ['acc-wb', 'wendy'],
  ]) {
    const opened = await app.post('/api/accounts', { accountId, ownerId, ownerName: ownerId, kind: 'user' });
    expect((await outcomeOf(app, opened)).status).toBe('succeeded');
  }
  const load = await app.post('/api/accounts/acc-wa/loads', { loadId: 'wl-1', amount: 10_000_000 });
  expect((await outcomeOf(app, load)).status).toBe('succeeded');
});
afterAll(() => app?.stop());

/** GET as the operator (or `headers`' caller), timed. */
async function timedGet(route: string, headers: Record<string, string>) {
  const started = Date.now();
  const answer = await app.get(route, headers);
  return { ...answer, ms: Date.now() - started };
}

async function requestTransfer(transferId: string, amount: number): Promise<void> {
  const answer = await app.post('/api/transfers', {
    transferId,
    fromAccountId: 'acc-wa',
    toAccountId: 'acc-wb',
    amount,
  });
  expect(answer.status).toBe(202);
}

describe('GET /api/transfers/{id} with Prefer: wait', () => {
  it('holds a read sent right after the request until the transfer is completed, in one request', async () => {
    await requestTransfer('tr-wait-1', 500);
    // Sent at once, before the command is handled: without the wait this is a 404 or `requested`.
    const answer = await timedGet('/api/transfers/tr-wait-1', { prefer: 'wait=20' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ transferId: 'tr-wait-1', status: 'completed', amount: 500 });
    expect(answer.headers.get('preference-applied')).toBe('wait=20');
    expect(answer.ms).toBeLessThan(20_000);
  });

  it('answers a transfer awaiting approval at once, and after the decision is taken in waits past approved until it is completed', async () => {
    await requestTransfer('tr-wait-2', 200_000);
    const held = await timedGet('/api/transfers/tr-wait-2', { prefer: 'wait=20' });
    expect(held.body).toMatchObject({ status: 'awaiting_approval' });
    // Awaiting someone: the wait does not hold it.
    const again = await timedGet('/api/transfers/tr-wait-2', { prefer: 'wait=20' });
    expect(again.body).toMatchObject({ status: 'awaiting_approval' });
    expect(again.ms).toBeLessThan(5_000);
    const decided = await app.post('/api/transfers/tr-wait-2/decision', { decision: 'approve' });
    expect(decided.status).toBe(202);
    // The decision is taken in asynchronously: until then the transfer still awaits approval.
    let done = await timedGet('/api/transfers/tr-wait-2', { prefer: 'wait=20' });
    for (let reads = 1; done.body.status === 'awaiting_approval' && reads < 200; reads++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      done = await timedGet('/api/transfers/tr-wait-2', { prefer: 'wait=20' });
    }
    expect(done.body).toMatchObject({ status: 'completed' });
  });

  it('answers a final transfer at once, and caps the wait it applies at 30 s', async () => {
    const answer = await timedGet('/api/transfers/tr-wait-1', { prefer: 'wait=999' });
    expect(answer.body).toMatchObject({ status: 'completed' });
    expect(answer.headers.get('preference-applied')).toBe('wait=30');
    expect(answer.ms).toBeLessThan(5_000);
  });

  it('answers 404 for an unknown transfer once the wait is over', async () => {
    const answer = await timedGet('/api/transfers/tr-never', { prefer: 'wait=1' });
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(answer.body).toMatchObject({ status: 404, code: 'transfer_not_found' });
    expect(answer.headers.get('preference-applied')).toBe('wait=1');
    expect(answer.ms).toBeGreaterThanOrEqual(950);
  });

  it('makes a customer who may not read the transfer wait as for an unknown one, and lets its owner read it at once', async () => {
    const stranger = app.callers.as('wanda', 'customer');
    const refused = await timedGet('/api/transfers/tr-wait-1', { ...stranger, prefer: 'wait=1' });
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ code: 'transfer_not_found' });
    expect(refused.ms).toBeGreaterThanOrEqual(950);
    const owner = app.callers.as('walter', 'customer');
    const read = await timedGet('/api/transfers/tr-wait-1', { ...owner, prefer: 'wait=1' });
    expect(read.body).toMatchObject({ status: 'completed' });
    expect(read.ms).toBeLessThan(950);
  });

  it.each(['wait=soon', 'wait=-1', 'wait=0', 'wait', 'respond-async', 'wait=1.5'])(
    'ignores `Prefer: %s` and answers an unknown transfer at once',
    async (prefer) => {
      const answer = await timedGet('/api/transfers/tr-never', { prefer });
      expect(answer.status).toBe(404);
      expect(answer.headers.get('preference-applied')).toBeNull();
      expect(answer.ms).toBeLessThan(950);
    },
  );

  it('sees a write made outside this process’s views within the recheck interval', async () => {
    const template = await app.stores.views.get<TransferView>(
      transferPartition('tr-wait-1'),
      TRANSFER_VIEW_ID,
    );
    expect(template).toBeDefined();
    const { _etag: _, ...view } = template!;
    const waiting = timedGet('/api/transfers/tr-elsewhere', { prefer: 'wait=20' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The test's own store set on the host's database: the app's views are not told of this write.
    await app.stores.views.put({
      ...view,
      pk: transferPartition('tr-elsewhere'),
      transferId: 'tr-elsewhere',
    });
    const answer = await waiting;
    expect(answer.body).toMatchObject({ transferId: 'tr-elsewhere', status: 'completed' });
    expect(answer.ms).toBeLessThan(5_000);
  });
});
