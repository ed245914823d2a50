/**
 * Back-pressure on the real path (the app on the local test host, real HTTP): with a bound of 3
 * (`BACKLOG_MAX_COMMANDS`) and the command handler held back (each command's execution waits on a
 * gate, as a slow store would keep it), a burst of transfer requests gets 3 accepted and the rest
 * 429 `backlog_full` with `Retry-After` and a problem+json body; a refused request leaves no
 * command document and no idempotency record; reads and the health check answer 200 meanwhile (the
 * health check shows the backlog full); a decision or cancel is never held back. Once the pipeline
 * drains, the refused requests sent again with their Idempotency-Keys are accepted and every
 * transfer completes, with the credits conserved.
 */
import { loadFee } from '../../domain/fees';
import type { StoreSet } from '../../stores';
import { IDEMPOTENCY_KEYS_PARTITION } from '../../functions/http/idempotency';
import { outcomeOf, PROBLEM_JSON, startApp, type App } from './harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const execution = require('../../dist/functions/commands/executeCommand') as {
  executeCommand: (...args: unknown[]) => Promise<unknown>;
};

let app: App;
let release: () => void = () => undefined;

beforeAll(async () => {
  app = await startApp({ settings: { BACKLOG_MAX_COMMANDS: '3', BACKLOG_RETRY_AFTER: '4' } });
});
afterAll(async () => {
  release();
  jest.restoreAllMocks();
  await app?.stop();
});

const anonymous = { authorization: '' };

/** Every command document in the commands container. */
async function commandDocuments(): Promise<number> {
  return (await (app.stores as StoreSet).containers.commands.listKeys()).length;
}

async function idempotencyRecords(): Promise<number> {
  return (await app.stores.views.query(IDEMPOTENCY_KEYS_PARTITION)).length;
}

const transfer = (n: number) =>
  app.post(
    '/api/transfers',
    { fromAccountId: 'acc-bp-a', toAccountId: 'acc-bp-b', amount: 100, note: `burst ${n}` },
    { 'idempotency-key': `bp-burst-${n}` },
  );

/** Holds every command's execution until `release()`: the pipeline falls behind the requests. */
function holdBackTheCommandHandler(): void {
  const original = execution.executeCommand;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  release = open;
  jest.spyOn(execution, 'executeCommand').mockImplementation(async (...args: unknown[]) => {
    await gate;
    return original(...args);
  });
}

describe('back-pressure on commands', () => {
  it('refuses commands past the bound while the pipeline is behind, and accepts them again once it drains', async () => {
    for (const [accountId, ownerId] of [
      ['acc-bp-a', 'alice'],
      ['acc-bp-b', 'bob'],
    ])
      await app.post('/api/accounts', { accountId, ownerId, ownerName: ownerId, kind: 'user' });
    const load = await app.post('/api/accounts/acc-bp-a/loads', { loadId: 'load-bp-1', amount: 10_000 });
    // Three commands were counted; handled through, they leave room again at the next look.
    expect((await outcomeOf(app, load)).status).toBe('succeeded');
    await app.host.advance(1_000);
    const before = { commands: await commandDocuments(), keys: await idempotencyRecords() };
    expect(before.commands).toBe(3);

    holdBackTheCommandHandler();
    const burst = await Promise.all([1, 2, 3, 4, 5].map(transfer));
    const accepted = burst.filter((answer) => answer.status === 202);
    const refused = burst.flatMap((answer, index) => (answer.status === 429 ? [index + 1] : []));
    expect(accepted).toHaveLength(3);
    expect(refused).toHaveLength(2);
    for (const n of refused) {
      const answer = burst[n - 1];
      expect(answer.headers.get('retry-after')).toBe('4');
      expect(answer.headers.get('content-type')).toMatch(PROBLEM_JSON);
      expect(answer.body).toMatchObject({ status: 429, code: 'backlog_full', title: 'Too Many Requests' });
      expect(answer.body.detail).toMatch(/3 accepted commands are not handled yet \(the bound is 3/);
    }
    // Nothing of a refused request was kept: only the accepted ones have a command and a key.
    expect(await commandDocuments()).toBe(before.commands + 3);
    expect(await idempotencyRecords()).toBe(before.keys + 3);

    // Any new command waits, even of another kind; reads and the health check still answer.
    const opening = await app.post('/api/accounts', {
      accountId: 'acc-bp-c',
      ownerId: 'carol',
      ownerName: 'Carol',
      kind: 'user',
    });
    expect(opening.status).toBe(429);
    expect((await app.get('/api/accounts/acc-bp-a')).status).toBe(200);
    expect((await app.get('/api/accounts/acc-bp-a/statement')).status).toBe(200);
    const health = await app.get('/api/health', anonymous);
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.checks.backlog).toMatchObject({ status: 'degraded', commands: 3, maxCommands: 3 });
    // A cancel finishes work already in the pipeline: judged as usual, never held back.
    const cancel = await app.post('/api/transfers/tr-bp-unknown/cancel', { note: 'x' });
    expect(cancel.status).toBe(404);
    expect(cancel.body.code).toBe('transfer_not_found');

    release();
    await app.settle();
    // The backlog is looked at again once its measurement is a second old (the host's clock).
    await app.host.advance(1_000);
    const again = await Promise.all(refused.map(transfer));
    expect(again.map((answer) => answer.status)).toEqual([202, 202]);
    for (const answer of [...accepted, ...again])
      expect((await outcomeOf(app, answer)).status).toBe('succeeded');
    // The same key sent again is the same transfer, not a new one.
    const repeat = await transfer(refused[0]);
    expect(repeat.status).toBe(202);
    expect(repeat.body.transferId).toBe(again[0].body.transferId);
    await app.settle();

    for (const answer of [...accepted, ...again]) {
      const view = await app.get(`/api/transfers/${answer.body.transferId}`);
      expect(view.body.status).toBe('completed');
    }
    const a = await app.get('/api/accounts/acc-bp-a');
    const b = await app.get('/api/accounts/acc-bp-b');
    // Each credit moved once: the load's net, less the five transfers, and the five on the other side.
    const loaded = 10_000 - loadFee(10_000);
    expect([a.body.available, a.body.reserved, b.body.available]).toEqual([loaded - 500, 0, 500]);
    await app.host.advance(1_000);
    const drained = await app.get('/api/health', anonymous);
    expect(drained.body.checks.backlog).toMatchObject({ status: 'healthy', commands: 0 });
  });
});
