/**
 * The secondary handlers on the real local views store (SQLite in memory): Event Grid may deliver
 * late, early, twice and out of order.
 */
import { Database } from '@cardflow/local-host';
import type { TransferEvent } from '../../domain/events';
import type { Views } from '../../stores';
import { createLocalStores } from '../../stores/local/localStores';
import { LocalDocumentStore } from '@cardflow/local-host';
import type { InboxEntry } from '../projections/approvalsInbox';
import { projectTransfer, type TransferView } from '../projections/transferView';
import type { CardflowCloudEvent } from './cloudEvent';
import { handleInboxEvent, TransferViewMissingError } from './handleInboxEvent';
import { recordAudit } from './recordAudit';

const at = '2026-01-01T00:00:00.000Z';
const deadline = '2026-01-02T00:00:00.000Z';
let db: Database;
let views: Views;
beforeEach(() => {
  db = new Database(':memory:');
  views = createLocalStores(new LocalDocumentStore(db), { databaseName: 'cardflow' }).views;
});
afterEach(() => db.close());

const history: TransferEvent[] = [
  {
    type: 'TransferRequested',
    data: {
      transferId: 'tr-1',
      fromAccountId: 'acc-1',
      toAccountId: 'acc-2',
      amount: 150_000,
      requestedBy: 'alice',
    },
  },
  { type: 'TransferApprovalRequested', data: { transferId: 'tr-1', reason: 'amount', deadline } },
  { type: 'TransferApproved', data: { transferId: 'tr-1', approver: 'bob' } },
  { type: 'TransferCompleted', data: { transferId: 'tr-1' } },
];

/** The transfer view after the first `n` events, as the primary handler leaves it before publishing the n-th. */
async function viewAfter(n: number): Promise<void> {
  const view = history
    .slice(0, n)
    .reduce<TransferView | undefined>(
      (v, event, i) => projectTransfer(v, { event, version: i + 1, occurredAt: at }),
      undefined,
    );
  await views.put(view as TransferView);
}

const cloudEvent = (n: number): CardflowCloudEvent => ({
  id: `tr-1:${n}`,
  type: `Cardflow.Transfer.${history[n - 1].type}`,
  subject: 'transfer-tr-1',
  source: '/cardflow/transfer-tr-1',
  time: at,
  data: history[n - 1].data,
  streamversion: n,
});
const now = () => at;
const entry = () => views.get<InboxEntry>('approvals', 'tr-1');

describe('approvals inbox', () => {
  it('fails the delivery (so Event Grid retries) while the transfer view is missing', async () => {
    await expect(handleInboxEvent(views, cloudEvent(2), now)).rejects.toBeInstanceOf(
      TransferViewMissingError,
    );
  });

  it('stays at the newest state whatever order the events arrive in, and notifies once per event', async () => {
    await viewAfter(4);
    // The completion arrives first, the approval request last and twice.
    expect(await handleInboxEvent(views, cloudEvent(4), now)).toBe('updated');
    expect(await handleInboxEvent(views, cloudEvent(3), now)).toBe('unchanged');
    await handleInboxEvent(views, cloudEvent(2), now);
    await handleInboxEvent(views, cloudEvent(2), now);
    expect(await entry()).toMatchObject({
      status: 'completed',
      approver: 'bob',
      version: 4,
      amount: 150_000,
    });
    expect(await views.query('notifications')).toEqual([
      expect.objectContaining({ id: 'tr-1:2', kind: 'approval_requested' }),
    ]);
  });

  it('counts each reminder once', async () => {
    await viewAfter(2);
    const reminder: CardflowCloudEvent = {
      id: 'tr-1:reminder',
      type: 'Cardflow.Transfer.TransferApprovalReminder',
      subject: 'transfer-tr-1',
      time: at,
      data: { transferId: 'tr-1' },
    };
    await handleInboxEvent(views, cloudEvent(2), now);
    await handleInboxEvent(views, reminder, now);
    await handleInboxEvent(views, reminder, now);
    expect(await entry()).toMatchObject({ status: 'pending', reminders: 1, lastRemindedAt: at });
  });

  it('ignores transfers that never asked for approval and events it does not follow', async () => {
    await viewAfter(1);
    expect(
      await handleInboxEvent(views, { ...cloudEvent(1), type: 'Cardflow.Transfer.TransferCompleted' }, now),
    ).toBe('ignored');
    expect(
      await handleInboxEvent(views, { id: 'x', type: 'Cardflow.Account.AccountOpened', data: {} }, now),
    ).toBe('ignored');
    expect(await entry()).toBeUndefined();
  });
});

describe('audit log', () => {
  it('records an event once, keeping the first record', async () => {
    expect(await recordAudit(views, cloudEvent(1), () => 'first')).toBe('recorded');
    expect(await recordAudit(views, cloudEvent(1), () => 'second')).toBe('duplicate');
    expect(await views.query('audit-transfer-tr-1')).toEqual([
      expect.objectContaining({ eventId: 'tr-1:1', recordedAt: 'first', streamVersion: 1 }),
    ]);
  });
});
