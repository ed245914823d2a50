/**
 * Snapshots through the real local store (SQLite): an account with a long history loads from its
 * snapshot and decides as the whole fold does, after a restart too; a snapshot that is stale,
 * damaged, of another format or of another past of the stream is never wrong (the stream is
 * replayed); the conflict retry still sees the other writer's events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalDocumentStore } from '@cardflow/local-host';
import { Database } from '@cardflow/local-host';
import {
  ACCOUNT_SNAPSHOT_FORMAT,
  accountDecider,
  accountTarget,
  accountBalances as balancesOf,
  fold,
  type AccountCommand,
  type AccountEvent,
  type AccountState,
  type EventEnvelope,
} from '../domain';
import { reserveFunds } from '../activities/reserveFunds';
import { assessOutflowFromStream, coversOutflowWindow } from '../domain';
import {
  commandRecorded,
  handleCommand,
  loadStream,
  readBack,
  SNAPSHOT_INTERVAL,
  snapshotInterval,
} from './commandEngine';
import { createLocalStores } from './local/localStores';
import type { EventStore, StoreSet } from './ports';
import { ContainerSnapshotStore, keepSnapshots, shortcutsOf, snapshotPartition } from './snapshots';

const STREAM = 'account-acc-a';
const metadata = { correlationId: 'corr', causationId: 'cause', occurredAt: '2026-01-01T00:00:00.000Z' };

/** Event `version` of a long account history: a load, a transfer out (reserved, captured), a transfer in, ... */
function historyEvent(version: number): EventEnvelope {
  const base = { id: `seed-${version}`, streamId: STREAM, version, metadata, schemaVersion: 1 };
  if (version === 1)
    return {
      ...base,
      type: 'AccountOpened',
      data: { accountId: 'acc-a', ownerId: 'ann', ownerName: 'Ann', kind: 'user' },
    };
  const n = Math.floor((version - 2) / 4);
  switch ((version - 2) % 4) {
    case 0:
      return {
        ...base,
        type: 'CreditsLoaded',
        data: {
          accountId: 'acc-a',
          loadId: `load-${n}`,
          amount: 10_000,
          fee: 2,
          net: 9_998,
          loadedBy: 'ann',
        },
      };
    case 1:
      return {
        ...base,
        type: 'FundsReserved',
        data: { accountId: 'acc-a', transferId: `tr-${n}`, amount: 5_000 },
      };
    case 2:
      return {
        ...base,
        type: 'FundsTransferredOut',
        data: { accountId: 'acc-a', transferId: `tr-${n}`, amount: 5_000, toAccountId: 'acc-b' },
      };
    default:
      return {
        ...base,
        type: 'FundsTransferredIn',
        data: { accountId: 'acc-a', transferId: `in-${n}`, amount: 1_000, fromAccountId: 'acc-b' },
      };
  }
}

async function seed(events: EventStore, from: number, to: number): Promise<void> {
  for (let version = from - 1; version < to;) {
    const count = Math.min(99, to - version);
    const batch = Array.from({ length: count }, (_, i) => historyEvent(version + i + 1));
    version = await events.append(STREAM, version, batch);
  }
}

/** The state of the whole stream, folded from its first event, the engine not involved. */
async function replayed(events: EventStore): Promise<AccountState> {
  return fold(
    accountDecider,
    (await events.readStream(STREAM)).map((e) => ({ type: e.type, data: e.data }) as AccountEvent),
  );
}

const fold_ = accountTarget({ type: 'CloseAccount', data: { accountId: 'acc-a' } }).fold;
const decideOnce = (events: EventStore, command: AccountCommand, idPrefix: string) =>
  handleCommand(events, accountTarget(command), { idPrefix, metadata });
const reserve = (transferId: string, amount: number): AccountCommand => ({
  type: 'ReserveFunds',
  data: { accountId: 'acc-a', transferId, amount },
});

let dir: string;
let db: Database;
let documents: LocalDocumentStore;
/** A new process on the same database: new stores, nothing of any stream in memory. */
const process_ = (): StoreSet => createLocalStores(documents, { databaseName: 'cardflow' });

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cardflow-snapshots-'));
  db = new Database(path.join(dir, 'store.db'));
  documents = new LocalDocumentStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('an account with a long history', () => {
  it('decides as the whole fold does after a restart, from its snapshot and the events after it', async () => {
    await seed(process_().events, 1, 1_001);
    // The first load replays the stream and stores a snapshot of it.
    const first = await loadStream(process_().events, STREAM, fold_);
    expect([first.snapshotVersion, first.version]).toEqual([0, 1_001]);
    await seed(process_().events, 1_002, 1_010);

    db.close();
    db = new Database(path.join(dir, 'store.db'));
    documents = new LocalDocumentStore(db);
    const { events } = process_();
    const loaded = await loadStream(events, STREAM, fold_);
    expect({ from: loaded.snapshotVersion, version: loaded.version, tail: loaded.history.length }).toEqual({
      from: 1_001,
      version: 1_010,
      tail: 9,
    });
    const whole = await replayed(events);
    expect(loaded.state).toEqual(whole);

    const { available } = balancesOf(whole);
    expect((await decideOnce(events, reserve('tr-big', available + 1), 'cmd-1')).decision).toMatchObject({
      ok: false,
      error: { code: 'insufficient_funds' },
    });
    // Ids from before the snapshot are still known: repeats append nothing, reused ids conflict.
    const repeats: AccountCommand[] = [
      {
        type: 'LoadCredits',
        data: { accountId: 'acc-a', loadId: 'load-3', amount: 10_000, loadedBy: 'ann' },
      },
      { type: 'TransferOut', data: { accountId: 'acc-a', transferId: 'tr-7', toAccountId: 'acc-b' } },
      {
        type: 'TransferIn',
        data: { accountId: 'acc-a', transferId: 'in-9', amount: 1_000, fromAccountId: 'acc-b' },
      },
    ];
    for (const command of repeats)
      expect(await decideOnce(events, command, 'cmd-repeat')).toMatchObject({
        decision: { ok: true, events: [] },
        appended: 0,
      });
    expect((await decideOnce(events, reserve('tr-7', 1), 'cmd-2')).decision).toMatchObject({
      ok: false,
      error: { code: 'id_conflict' },
    });
    const taken = await decideOnce(events, reserve('tr-big', available), 'cmd-3');
    expect([taken.decision.ok, taken.appended, taken.version]).toEqual([true, 1, 1_010]);
    expect(balancesOf(await replayed(events)).available).toBe(0);
  });

  it('stores a snapshot every SNAPSHOT_INTERVAL events, read by the next process', async () => {
    await seed(process_().events, 1, SNAPSHOT_INTERVAL - 1);
    await loadStream(process_().events, STREAM, fold_);
    const snapshots = new ContainerSnapshotStore(process_().containers.views);
    expect(await snapshots.read(STREAM, ACCOUNT_SNAPSHOT_FORMAT)).toBeUndefined();
    await seed(process_().events, SNAPSHOT_INTERVAL, SNAPSHOT_INTERVAL + 5);
    await loadStream(process_().events, STREAM, fold_);
    expect(await snapshots.read(STREAM, ACCOUNT_SNAPSHOT_FORMAT)).toMatchObject({
      version: SNAPSHOT_INTERVAL + 5,
      lastEventId: `seed-${SNAPSHOT_INTERVAL + 5}`,
    });
    // Later ones a tenth of the stream apart: storing costs O(1) per event however long the stream.
    expect([snapshotInterval(0), snapshotInterval(1_000), snapshotInterval(100_000)]).toEqual([
      200, 200, 10_000,
    ]);
  });
});

describe('a snapshot that cannot be trusted is ignored', () => {
  let stores: StoreSet;
  let snapshots: ContainerSnapshotStore;
  beforeEach(async () => {
    stores = process_();
    snapshots = new ContainerSnapshotStore(stores.containers.views);
    await seed(stores.events, 1, 300);
  });

  /** A new process's load: it must start from version 0 (replay) and give the whole fold's state. */
  async function expectReplay(): Promise<void> {
    const { events } = process_();
    const loaded = await loadStream(events, STREAM, fold_);
    expect(loaded.snapshotVersion).toBe(0);
    expect(loaded.state).toEqual(await replayed(events));
  }

  const stateAt = async (version: number): Promise<unknown> =>
    accountDecider.snapshot?.encode(
      fold(
        accountDecider,
        (await stores.events.readStream(STREAM))
          .slice(0, version)
          .map((e) => ({ type: e.type, data: e.data }) as AccountEvent),
      ),
    );

  it('uses a stale snapshot, folding the events after it', async () => {
    await snapshots.write(STREAM, {
      format: ACCOUNT_SNAPSHOT_FORMAT,
      version: 250,
      lastEventId: 'seed-250',
      state: await stateAt(250),
    });
    const { events } = process_();
    const loaded = await loadStream(events, STREAM, fold_);
    expect([loaded.snapshotVersion, loaded.history.length]).toEqual([250, 50]);
    expect(loaded.state).toEqual(await replayed(events));
  });

  it('of another format', async () => {
    await snapshots.write(STREAM, {
      format: 'account-state/0',
      version: 300,
      lastEventId: 'seed-300',
      state: await stateAt(300),
    });
    await expectReplay();
  });

  it('whose state is not a valid state of its format', async () => {
    const state = { ...((await stateAt(300)) as object), reserved: 5 };
    await snapshots.write(STREAM, {
      format: ACCOUNT_SNAPSHOT_FORMAT,
      version: 300,
      lastEventId: 'seed-300',
      state,
    });
    await expectReplay();
  });

  it('of another past of the stream (its event id at its version differs), or ahead of the stream', async () => {
    await snapshots.write(STREAM, {
      format: ACCOUNT_SNAPSHOT_FORMAT,
      version: 300,
      lastEventId: 'elsewhere',
      state: await stateAt(300),
    });
    await expectReplay();
    await stores.views.deleteAll(snapshotPartition(STREAM));
    await snapshots.write(STREAM, {
      format: ACCOUNT_SNAPSHOT_FORMAT,
      version: 400,
      lastEventId: 'seed-400',
      state: await stateAt(300),
    });
    await expectReplay();
  });

  it('whose stored text was damaged or lost a chunk', async () => {
    const chunked = new ContainerSnapshotStore(stores.containers.views, 1_000);
    await chunked.write(STREAM, {
      format: ACCOUNT_SNAPSHOT_FORMAT,
      version: 300,
      lastEventId: 'seed-300',
      state: await stateAt(300),
    });
    const pk = snapshotPartition(STREAM);
    const chunks = (
      await stores.containers.views.query<{ id: string; text: string }>({ partitionKey: pk })
    ).filter((doc) => doc.id !== 'head');
    expect(chunks.length).toBeGreaterThan(3);
    // Read back whole when intact.
    expect((await chunked.read(STREAM, ACCOUNT_SNAPSHOT_FORMAT))?.state).toEqual(await stateAt(300));

    const { _etag: _, ...second } = chunks[1] as { id: string; text: string; _etag: string };
    await stores.containers.views.upsert({
      ...second,
      pk,
      text: second.text.replace(/\d/, (d) => String((Number(d) + 1) % 10)),
    });
    await expectReplay();
    await stores.containers.views.delete(chunks[1].id, pk);
    await expectReplay();
  });

  it('not JSON at all, or a head that is not a head', async () => {
    const pk = snapshotPartition(STREAM);
    await stores.containers.views.upsert({
      id: 'head',
      pk,
      kind: 'snapshot',
      format: ACCOUNT_SNAPSHOT_FORMAT,
      version: 'x',
    });
    await expectReplay();
    await stores.views.deleteAll(pk);
    const text = '{"status":';
    await stores.containers.views.upsert({
      id: '300.0',
      pk,
      kind: 'snapshot-chunk',
      version: 300,
      index: 0,
      text,
    });
    const { createHash } = await import('node:crypto');
    await stores.containers.views.upsert({
      id: 'head',
      pk,
      kind: 'snapshot',
      streamId: STREAM,
      format: ACCOUNT_SNAPSHOT_FORMAT,
      version: 300,
      lastEventId: 'seed-300',
      chunks: 1,
      length: text.length,
      sha256: createHash('sha256').update(text).digest('hex'),
    });
    await expectReplay();
  });
});

describe('snapshots and writers', () => {
  it('the conflict retry folds the other writer’s events onto the state it started from', async () => {
    const { events } = process_();
    await seed(events, 1, 400);
    const warm = await loadStream(events, STREAM, fold_);
    const { available } = balancesOf(warm.state);
    // Another process reserves everything between this one's read and its append.
    let raced = false;
    const racing: EventStore = {
      readStream: (streamId, from) => events.readStream(streamId, from),
      streamVersion: (streamId) => events.streamVersion(streamId),
      async append(streamId, expected, batch) {
        if (!raced) {
          raced = true;
          await decideOnce(process_().events, reserve('tr-other', available), 'cmd-other');
        }
        return events.append(streamId, expected, batch);
      },
    };
    const shortcuts = shortcutsOf(events);
    if (!shortcuts) throw new Error('the local stores keep snapshots');
    keepSnapshots(racing, shortcuts);
    await loadStream(racing, STREAM, fold_); // warm, from the stored snapshot

    const mine = await decideOnce(racing, reserve('tr-mine', 1), 'cmd-mine');
    expect(mine.decision).toMatchObject({ ok: false, error: { code: 'insufficient_funds' } });
    expect([mine.snapshotVersion, mine.version]).toEqual([400, 401]);
    const types = (await events.readStream(STREAM, 400)).map((e) => e.id);
    expect(types).toEqual(['seed-400', 'cmd-other:0']);
  });

  it('of two racing snapshot writers one head wins and no chunk of the loser stays', async () => {
    const stores = process_();
    await seed(stores.events, 1, 300);
    const state = (await loadStream(process_().events, STREAM, fold_)).state;
    const encoded = accountDecider.snapshot?.encode(state);
    const a = new ContainerSnapshotStore(stores.containers.views, 2_000);
    const b = new ContainerSnapshotStore(stores.containers.views, 2_000);
    await stores.views.deleteAll(snapshotPartition(STREAM));
    await Promise.all([
      a.write(STREAM, {
        format: ACCOUNT_SNAPSHOT_FORMAT,
        version: 299,
        lastEventId: 'seed-299',
        state: encoded,
      }),
      b.write(STREAM, {
        format: ACCOUNT_SNAPSHOT_FORMAT,
        version: 300,
        lastEventId: 'seed-300',
        state: encoded,
      }),
    ]);
    const docs = await stores.containers.views.query<{ id: string; version: number; chunks?: number }>({
      partitionKey: snapshotPartition(STREAM),
    });
    const head = docs.find((doc) => doc.id === 'head');
    const chunks = docs.filter((doc) => doc.id !== 'head');
    expect(chunks.every((chunk) => chunk.version === head?.version)).toBe(true);
    expect(chunks).toHaveLength(head?.chunks ?? -1);
    // An older snapshot never replaces a newer one.
    await a.write(STREAM, {
      format: ACCOUNT_SNAPSHOT_FORMAT,
      version: 100,
      lastEventId: 'seed-100',
      state: encoded,
    });
    expect((await a.read(STREAM, ACCOUNT_SNAPSHOT_FORMAT))?.version).toBe(head?.version);
  });
});

describe('looking past the snapshot', () => {
  it('commandRecorded finds a command’s events before the snapshot, in the tail, and not others', async () => {
    const { events } = process_();
    await seed(events, 1, 100);
    await decideOnce(events, reserve('tr-mid', 1), 'cmd-mid');
    await seed(events, 102, 320);
    await loadStream(events, STREAM, fold_);
    await decideOnce(events, reserve('tr-late', 1), 'cmd-late');
    const loaded = await loadStream(process_().events, STREAM, fold_);
    expect([loaded.snapshotVersion, loaded.version]).toEqual([320, 321]);
    expect(await commandRecorded(events, loaded, 'cmd-mid')).toBe(true);
    expect(await commandRecorded(events, loaded, 'cmd-late')).toBe(true);
    expect(await commandRecorded(events, loaded, 'cmd-never')).toBe(false);
  });

  it('reserveFunds assesses the outflow window of a long stream as the whole stream does, reading only its end', async () => {
    const { events } = process_();
    // After the opening and a large load, 1 500 reservations two minutes apart (50 hours), every tenth released.
    const start = Date.parse('2026-01-01T00:00:00.000Z');
    const at = (version: number) => new Date(start + version * 2 * 60_000).toISOString();
    const envelope = (version: number, type: string, data: object, id = `seed-${version}`): EventEnvelope =>
      ({
        id,
        streamId: STREAM,
        version,
        type,
        data,
        metadata: { ...metadata, occurredAt: at(version) },
        schemaVersion: 1,
      }) as EventEnvelope;
    await events.append(STREAM, 0, [
      envelope(1, 'AccountOpened', { accountId: 'acc-a', ownerId: 'ann', ownerName: 'Ann', kind: 'user' }),
      envelope(2, 'CreditsLoaded', {
        accountId: 'acc-a',
        loadId: 'load-big',
        amount: 1_000_000_000,
        fee: 0,
        net: 1_000_000_000,
        loadedBy: 'ann',
      }),
    ]);
    const last = 1_500;
    for (let version = 2; version < last;) {
      const batch = Array.from({ length: Math.min(99, last - version) }, (_, i) => {
        const v = version + i + 1;
        return v % 10 === 1
          ? envelope(v, 'FundsReleased', {
              accountId: 'acc-a',
              transferId: `tr-${v - 1}`,
              amount: 1_000 + v - 1,
              reason: 'approval_expired',
            })
          : envelope(v, 'FundsReserved', { accountId: 'acc-a', transferId: `tr-${v}`, amount: 1_000 + v });
      });
      version = await events.append(STREAM, version, batch);
    }
    await events.append('account-acc-b', 0, [
      {
        ...envelope(1, 'AccountOpened', {
          accountId: 'acc-b',
          ownerId: 'ben',
          ownerName: 'Ben',
          kind: 'user',
        }),
        streamId: 'account-acc-b',
      },
    ]);
    const running = process_().events;
    await loadStream(running, STREAM, fold_); // replays once, stores the snapshot

    const input = {
      transferId: 'tr-new',
      fromAccountId: 'acc-a',
      toAccountId: 'acc-b',
      amount: 7,
      at: at(last + 1),
      correlationId: 'c',
      causationId: 'c',
    };
    const result = await reserveFunds(running, input);
    const whole = await events.readStream(STREAM);
    const expected = assessOutflowFromStream(whole, { transferId: 'tr-new', amount: 7, at: input.at });
    expect(result).toEqual({ ok: true, sourceOwnerId: 'ann', windowTotal: expected.windowTotal });
    expect(expected.windowTotal).toBeGreaterThan(600_000);
    // A repeat, in another process, answers the same.
    expect(await reserveFunds(process_().events, input)).toEqual(result);

    // What it read: the window's events (25 hours: 750 events, and part of a page), not the stream.
    const loaded = await loadStream(running, STREAM, fold_);
    const recent = await readBack(running, loaded, (read) =>
      coversOutflowWindow(read, { transferId: 'tr-new' }),
    );
    expect(recent.at(-1)?.id).toBe('tr-new:reserve');
    expect(recent.length).toBeGreaterThanOrEqual(750);
    expect(recent.length).toBeLessThan(whole.length);
  });
});
