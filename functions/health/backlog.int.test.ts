/**
 * The backlog of accepted commands on the local document store (in-memory SQLite, the real
 * command store and views): counted in memory, forgotten once the command is handled through (a
 * requested transfer: once its view has left `requested`), refreshed at most once per interval or
 * at the bound while it drains, oldest first within a read budget; a store that fails keeps
 * commands counted; concurrent admissions never pass the bound.
 */
import { Database } from '@cardflow/local-host';
import { LocalDocumentStore } from '@cardflow/local-host';
import type { StoreSet } from '../../stores';
import { createLocalStores } from '../../stores/local/localStores';
import { TRANSFER_VIEW_ID, transferPartition } from '../projections/layout';
import { admitCommand } from '../http/backPressure';
import {
  CommandBacklog,
  DRAINING_REFRESH_MS,
  MAX_READS_PER_REFRESH,
  MAX_TRACKED_MS,
  REFRESH_INTERVAL_MS,
} from './backlog';

const T0 = Date.parse('2026-06-01T12:00:00Z');
let db: Database;
let stores: StoreSet;
let backlog: CommandBacklog;

beforeEach(() => {
  db = new Database(':memory:');
  stores = createLocalStores(new LocalDocumentStore(db), { databaseName: 'cardflow' });
  backlog = new CommandBacklog();
});
afterEach(() => db.close());

/** A command stored pending and counted as this instance's, as a command route does. */
async function accept(id: string, at = T0, transferId?: string): Promise<void> {
  await stores.commands.submit({ id, type: transferId ? 'RequestTransfer' : 'OpenAccount', data: {} });
  backlog.hold().accepted(id, transferId, at);
}

async function transferView(transferId: string, status: string): Promise<void> {
  await stores.views.put({ id: TRANSFER_VIEW_ID, pk: transferPartition(transferId), status, version: 1 });
}

describe('the backlog of accepted commands', () => {
  it('counts accepted commands until a refresh sees them handled', async () => {
    await accept('c1');
    await accept('c2', T0 + 500);
    expect(backlog.measure(T0 + 1_000)).toEqual({ commands: 2, oldestAgeMs: 1_000 });
    await stores.commands.complete('c1', { status: 'succeeded' });
    await stores.commands.complete('c2', { status: 'rejected', reason: 'insufficient_funds' });
    await backlog.refreshIfDue(stores, T0 + 1_000, false);
    expect(backlog.measure(T0 + 1_000)).toEqual({ commands: 0, oldestAgeMs: 0, refreshedAt: T0 + 1_000 });
  });

  it('keeps a pending command counted, and its age grows', async () => {
    await accept('c1');
    await backlog.refreshIfDue(stores, T0 + 5_000, false);
    expect(backlog.measure(T0 + 5_000)).toMatchObject({ commands: 1, oldestAgeMs: 5_000 });
  });

  it('counts a requested transfer until its view leaves requested (its process advanced)', async () => {
    await accept('c-tr', T0, 'tr-1');
    await stores.commands.complete('c-tr', { status: 'succeeded' });
    await backlog.refreshIfDue(stores, T0, false);
    expect(backlog.size).toBe(1); // no view yet: the events feed has not handled it
    await transferView('tr-1', 'requested');
    await backlog.refreshIfDue(stores, T0 + REFRESH_INTERVAL_MS, false);
    expect(backlog.size).toBe(1); // the process has not reserved and finished
    await transferView('tr-1', 'awaiting_approval');
    await backlog.refreshIfDue(stores, T0 + 2 * REFRESH_INTERVAL_MS, false);
    expect(backlog.size).toBe(0); // waiting for a person is not backlog
  });

  it('forgets a rejected transfer request at once (no process starts)', async () => {
    await accept('c-tr', T0, 'tr-2');
    await stores.commands.complete('c-tr', { status: 'rejected', reason: 'account_not_found' });
    await backlog.refreshIfDue(stores, T0, false);
    expect(backlog.size).toBe(0);
  });

  it('reads the store at most once per interval, sooner only at the bound while it drains', async () => {
    await accept('c1');
    await accept('c2');
    await backlog.refreshIfDue(stores, T0, false);
    await stores.commands.complete('c1', { status: 'succeeded' });
    await backlog.refreshIfDue(stores, T0 + REFRESH_INTERVAL_MS - 1, false);
    expect(backlog.size).toBe(2); // not due: the last measurement stands
    // At the bound, but the last refresh freed nothing: not due either.
    await backlog.refreshIfDue(stores, T0 + 1, true);
    expect(backlog.size).toBe(2);
    await backlog.refreshIfDue(stores, T0 + REFRESH_INTERVAL_MS, false);
    expect(backlog.size).toBe(1);
    // That refresh freed a place: at the bound the next request may look again soon, not at once.
    await stores.commands.complete('c2', { status: 'succeeded' });
    await backlog.refreshIfDue(stores, T0 + REFRESH_INTERVAL_MS + DRAINING_REFRESH_MS - 1, true);
    expect(backlog.size).toBe(1);
    await backlog.refreshIfDue(stores, T0 + REFRESH_INTERVAL_MS + DRAINING_REFRESH_MS - 1, false);
    expect(backlog.size).toBe(1); // below the bound it waits for the interval
    await backlog.refreshIfDue(stores, T0 + REFRESH_INTERVAL_MS + DRAINING_REFRESH_MS, true);
    expect(backlog.size).toBe(0);
  });

  it('refreshes again when the clock went back (another host’s clock)', async () => {
    await accept('c1');
    await backlog.refreshIfDue(stores, T0, false);
    await stores.commands.complete('c1', { status: 'succeeded' });
    await backlog.refreshIfDue(stores, T0 - 60_000, false);
    expect(backlog.size).toBe(0);
  });

  it('reads the oldest first and stops at a chunk with nothing handled, within the read budget', async () => {
    for (let i = 0; i < 12; i++) await accept(`old-${i}`);
    for (let i = 0; i < 5; i++) {
      await accept(`new-${i}`, T0 + 1);
      await stores.commands.complete(`new-${i}`, { status: 'succeeded' });
    }
    const get = jest.spyOn(stores.commands, 'get');
    await backlog.refreshIfDue(stores, T0, false);
    // The first ten are pending: the younger ones are left for a later refresh.
    expect(get).toHaveBeenCalledTimes(10);
    expect(backlog.size).toBe(17);
    get.mockClear();
    for (let i = 0; i < 12; i++) await stores.commands.complete(`old-${i}`, { status: 'succeeded' });
    await backlog.refreshIfDue(stores, T0 + REFRESH_INTERVAL_MS, false);
    expect(backlog.size).toBe(0);
    expect(get).toHaveBeenCalledTimes(17);
    get.mockRestore();
  });

  it('reads at most its budget per refresh', async () => {
    const count = MAX_READS_PER_REFRESH + 15;
    for (let i = 0; i < count; i++) {
      await accept(`c-${i}`);
      await stores.commands.complete(`c-${i}`, { status: 'succeeded' });
    }
    await backlog.refreshIfDue(stores, T0, false);
    expect(backlog.size).toBe(15);
  });

  it('keeps commands counted while the store fails, and forgets them once it answers', async () => {
    await accept('c1');
    await stores.commands.complete('c1', { status: 'succeeded' });
    const get = jest.spyOn(stores.commands, 'get').mockRejectedValue(new Error('store down (staged)'));
    await backlog.refreshIfDue(stores, T0, false);
    expect(backlog.size).toBe(1);
    get.mockRestore();
    await backlog.refreshIfDue(stores, T0 + REFRESH_INTERVAL_MS, false);
    expect(backlog.size).toBe(0);
  });

  it('forgets a command it cannot find (another database) and one counted longer than the reconciler waits', async () => {
    backlog.hold().accepted('elsewhere', undefined, T0);
    await accept('stuck', T0);
    await backlog.refreshIfDue(stores, T0 + MAX_TRACKED_MS + 1, false);
    expect(backlog.size).toBe(0);
  });

  it('counts a repeat of a command once, at its first place', async () => {
    await accept('c1', T0);
    backlog.hold().accepted('c1', undefined, T0 + 9_000);
    expect(backlog.measure(T0 + 10_000)).toMatchObject({ commands: 1, oldestAgeMs: 10_000 });
  });

  it('frees a slot released or ended twice only once', () => {
    const slot = backlog.hold();
    expect(backlog.size).toBe(1);
    slot.release();
    slot.release();
    slot.accepted('c1', undefined, T0);
    expect(backlog.size).toBe(0);
  });
});

describe('admitting commands', () => {
  const limits = { maxCommands: 3, retryAfterSeconds: 7 };

  it('lets no more concurrent requests in than the bound, and answers the rest 429 with Retry-After', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => admitCommand({ stores, now: T0, limits }, backlog)),
    );
    const admitted = answers.filter((answer) => 'slot' in answer);
    const refused = answers.flatMap((answer) => ('refused' in answer ? [answer.refused] : []));
    expect(admitted).toHaveLength(3);
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatchObject({
      status: 429,
      headers: { 'content-type': 'application/problem+json', 'retry-after': '7' },
    });
    expect(JSON.parse(refused[0].body as string)).toMatchObject({ status: 429, code: 'backlog_full' });
  });

  it('admits again once the commands it counted are handled', async () => {
    for (const id of ['c1', 'c2', 'c3']) await accept(id);
    expect('refused' in (await admitCommand({ stores, now: T0, limits }, backlog))).toBe(true);
    for (const id of ['c1', 'c2', 'c3']) await stores.commands.complete(id, { status: 'succeeded' });
    // Within the interval the measurement stands...
    expect('refused' in (await admitCommand({ stores, now: T0 + 10, limits }, backlog))).toBe(true);
    // ...and the next one looks again.
    const next = await admitCommand({ stores, now: T0 + REFRESH_INTERVAL_MS + 10, limits }, backlog);
    expect('slot' in next).toBe(true);
  });

  it('frees the place of a request that was refused for another reason', async () => {
    const first = await admitCommand({ stores, now: T0, limits: { ...limits, maxCommands: 1 } }, backlog);
    if (!('slot' in first)) throw new Error('expected a slot');
    first.slot.release();
    expect(
      'slot' in (await admitCommand({ stores, now: T0, limits: { ...limits, maxCommands: 1 } }, backlog)),
    ).toBe(true);
  });
});
