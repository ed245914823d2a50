/**
 * The reconciler's pass against the real local event store (SQLite), with the process's status
 * given: it waits out the grace after an abnormal end, and after releasing it reads the money
 * facts again, so a credit that lands around its release is never hidden behind a `failed`.
 */
import { Database } from '@cardflow/local-host';
import { LocalDocumentStore } from '@cardflow/local-host';
import { accountStreamId, splitLoad, transferStreamId, type DomainEvent } from '../../domain';
import { DEFAULT_DATABASE, type EventStore, type Views } from '../../stores';
import { createLocalStores } from '../../stores/local/localStores';
import { seedStream } from '../../stores/test/seed';
import {
  OPEN_TRANSFER_VIEW,
  OPEN_TRANSFERS_PARTITION,
  TRANSFER_VIEW_ID,
  transferPartition,
} from '../projections/layout';
import { reconcileTransfers, type ReconcileDependencies } from './reconcileTransfers';
import { ENDED_GRACE_MS } from './select';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const transfer = { transferId: 'tr-1', fromAccountId: 'acc-a', toAccountId: 'acc-b', amount: 30_000 };

let db: Database;
let events: EventStore;
let views: Views;
let lines: string[];

function seed(streamId: string, seeded: DomainEvent[], ids?: string[]): Promise<void> {
  return seedStream(events, streamId, seeded, { occurredAt: new Date(T0).toISOString(), ids });
}

const creditIn: DomainEvent = {
  type: 'FundsTransferredIn',
  data: { accountId: 'acc-b', transferId: 'tr-1', amount: 30_000, fromAccountId: 'acc-a' },
};

const types = async (streamId: string) => (await events.readStream(streamId)).map((e) => e.type);

function deps(overrides: Partial<ReconcileDependencies> = {}): ReconcileDependencies {
  return {
    events,
    views,
    process: async () => ({ exists: true, runtimeStatus: 'Terminated', lastUpdatedAt: T0 }),
    cancelOutflow: null,
    now: () => T0 + ENDED_GRACE_MS + 60_000,
    log: (line) => lines.push(line),
    ...overrides,
  };
}

beforeEach(async () => {
  db = new Database(':memory:');
  ({ events, views } = createLocalStores(new LocalDocumentStore(db), { databaseName: DEFAULT_DATABASE }));
  lines = [];
  const { fee, net } = splitLoad(100_000);
  await seed(accountStreamId('acc-a'), [
    { type: 'AccountOpened', data: { accountId: 'acc-a', ownerId: 'ann', ownerName: 'Ann', kind: 'user' } },
    { type: 'CreditsLoaded', data: { accountId: 'acc-a', loadId: 'load-1', amount: 100_000, fee, net } },
    { type: 'FundsReserved', data: { accountId: 'acc-a', transferId: 'tr-1', amount: 30_000 } },
  ]);
  await seed(accountStreamId('acc-b'), [
    { type: 'AccountOpened', data: { accountId: 'acc-b', ownerId: 'ben', ownerName: 'Ben', kind: 'user' } },
  ]);
  await seed(transferStreamId('tr-1'), [
    { type: 'TransferRequested', data: { ...transfer, requestedBy: 'ann' } },
  ]);
  await views.put({ id: 'tr-1', pk: OPEN_TRANSFERS_PARTITION, view: OPEN_TRANSFER_VIEW });
  await views.put({
    id: TRANSFER_VIEW_ID,
    pk: transferPartition('tr-1'),
    view: 'transfer',
    transferId: 'tr-1',
    status: 'requested',
  });
});
afterEach(() => db.close());

describe('the reconciler after an abnormal end', () => {
  it('waits ENDED_GRACE_MS after the instance last changed, then releases', async () => {
    expect(await reconcileTransfers(deps({ now: () => T0 + ENDED_GRACE_MS - 1 }))).toEqual({
      examined: 1,
      acted: [],
    });
    expect(lines.join('\n')).toMatch(/tr-1: process terminated; left until 2026-01-01T10:10:00.000Z/);
    expect(await types(accountStreamId('acc-a'))).not.toContain('FundsReleased');
    expect((await reconcileTransfers(deps())).acted).toEqual([{ transferId: 'tr-1', action: 'released' }]);
    expect(await types(accountStreamId('acc-a'))).toContain('FundsReleased');
    expect(await types(transferStreamId('tr-1'))).toEqual(['TransferRequested', 'TransferFailed']);
  });

  it('finishes the move when the credit lands after the facts were read and before the release', async () => {
    // The destination is credited as the reconciler reads the source (a slow activity's credit).
    let landed = false;
    const racing: EventStore = Object.create(events) as EventStore;
    racing.readStream = async (streamId, ...rest) => {
      const read = await events.readStream(streamId, ...rest);
      if (streamId === accountStreamId('acc-b') && !landed) {
        landed = true;
        await seed(accountStreamId('acc-b'), [creditIn], ['tr-1:credit-in']);
      }
      return read;
    };
    expect((await reconcileTransfers(deps({ events: racing }))).acted).toEqual([
      { transferId: 'tr-1', action: 'completed' },
    ]);
    expect(await types(accountStreamId('acc-a'))).not.toContain('FundsReleased');
    expect((await types(accountStreamId('acc-a'))).at(-1)).toBe('FundsTransferredOut');
    expect(await types(transferStreamId('tr-1'))).toEqual(['TransferRequested', 'TransferCompleted']);
  });

  it('says money was created, and records no failure, when the credit lands just after its release', async () => {
    const racing: EventStore = Object.create(events) as EventStore;
    racing.append = async (streamId, expectedVersion, appended) => {
      const result = await events.append(streamId, expectedVersion, appended);
      if (appended.some((event) => event.type === 'FundsReleased'))
        await seed(accountStreamId('acc-b'), [creditIn], ['tr-1:credit-in']);
      return result;
    };
    expect((await reconcileTransfers(deps({ events: racing }))).acted).toEqual([
      { transferId: 'tr-1', action: 'stuck' },
    ]);
    expect(lines.join('\n')).toMatch(
      /tr-1: process terminated; acc-b was credited after the reservation on acc-a was released: left for an operator \(money was created\)/,
    );
    expect(await types(transferStreamId('tr-1'))).toEqual(['TransferRequested']);
  });
});
