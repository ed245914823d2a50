/**
 * The approvals inbox and the audit log, reached through Event Grid: the primary handler (and the
 * process's reminder) publish with the real EventGridPublisherClient to the host's local topic,
 * which delivers to the `approvalsInbox` and `auditLog` functions per eventgrid.local.json.
 */
import { LocalDocumentStore } from '@cardflow/local-host';
import { ApprovalsResponseSchema } from '../../functions/http/schemas';
import { toCloudEvent } from '../../stores/eventPublisher';
import { outcomeOf, startApp, type App } from './harness';

const HOUR = 60 * 60 * 1000;
let app: App;

beforeAll(async () => {
  // No Event Grid settings: the app publishes to the local host's own topic.
  app = await startApp();
  for (const [accountId, ownerId] of [
    ['acc-ivy', 'ivy'],
    ['acc-jon', 'jon'],
  ]) {
    await app.post('/api/accounts', { accountId, ownerId, ownerName: ownerId, kind: 'user' });
  }
  await app.settle();
  expect(
    (
      await outcomeOf(
        app,
        await app.post('/api/accounts/acc-ivy/loads', { loadId: 'ivy-1', amount: 900_000 }),
      )
    ).status,
  ).toBe('succeeded');
});
afterAll(() => app?.stop());

const views = () =>
  new LocalDocumentStore(app.host.db).container('cardflow', 'views', { partitionKeyPath: '/pk' });
const pending = async () =>
  ApprovalsResponseSchema.parse((await app.get('/api/approvals?status=pending')).body).items;
const notifications = (transferId: string) =>
  (
    views().query({ partitionKey: 'notifications' }) as unknown as Array<{
      transferId: string;
      kind: string;
      id: string;
    }>
  ).filter((n) => n.transferId === transferId);

async function requestTransfer(transferId: string, amount: number): Promise<void> {
  const answer = await app.post('/api/transfers', {
    transferId,
    fromAccountId: 'acc-ivy',
    toAccountId: 'acc-jon',
    amount,
    requestedBy: 'ivy',
  });
  expect((await outcomeOf(app, answer)).status).toBe('succeeded');
  await app.settle();
}

describe('approvals inbox', () => {
  it('lists a significant transfer as pending, with amount, accounts, reason and deadline, and notifies approvers once', async () => {
    await requestTransfer('tr-inbox-1', 150_000);
    expect(await pending()).toEqual([
      expect.objectContaining({
        transferId: 'tr-inbox-1',
        fromAccountId: 'acc-ivy',
        toAccountId: 'acc-jon',
        amount: 150_000,
        reason: 'amount',
        deadline: '2026-01-02T00:00:00.000Z',
        status: 'pending',
        requestedBy: 'ivy',
        reminders: 0,
      }),
    ]);
    const sent = notifications('tr-inbox-1');
    expect(sent).toEqual([expect.objectContaining({ kind: 'approval_requested', transferId: 'tr-inbox-1' })]);

    // Event Grid delivers at least once: the same event again notifies no one and changes nothing.
    const [requested] = (await app.stores.events.readStream('transfer-tr-inbox-1')).filter(
      (e) => e.type === 'TransferApprovalRequested',
    );
    const cloudEvent = { specversion: '1.0', ...toCloudEvent(requested), streamversion: requested.version };
    await app.host.invoke({
      functionName: 'approvalsInbox',
      triggerData: { json: JSON.stringify(cloudEvent) },
    });
    expect(notifications('tr-inbox-1')).toHaveLength(1);
    expect((await pending()).map((p) => p.transferId)).toEqual(['tr-inbox-1']);
  });

  it('records the reminder sent at half the timeout', async () => {
    await app.host.advance(12 * HOUR + 1_000);
    const reminders = notifications('tr-inbox-1').filter((n) => n.kind === 'approval_reminder');
    expect(reminders).toHaveLength(1);
    expect((await pending())[0]).toMatchObject({ transferId: 'tr-inbox-1', reminders: 1 });
  });

  it('takes an approved transfer off the pending list', async () => {
    const decision = await app.post('/api/transfers/tr-inbox-1/decision', {
      decision: 'approve',
      approver: 'kim',
    });
    expect((await outcomeOf(app, decision)).status).toBe('succeeded');
    await app.settle();
    expect(await pending()).toEqual([]);
    const all = ApprovalsResponseSchema.parse((await app.get('/api/approvals?status=all')).body).items;
    expect(all).toEqual([
      expect.objectContaining({ transferId: 'tr-inbox-1', status: 'completed', approver: 'kim' }),
    ]);
  });

  it('lists a transfer caught by the velocity rule, and marks it expired after the deadline', async () => {
    // The first transfer leaves the source's 24-hour window.
    await app.host.advance(12 * HOUR);
    await requestTransfer('tr-vel-1', 90_000);
    await requestTransfer('tr-vel-2', 90_000);
    expect(await pending()).toEqual([]);
    await requestTransfer('tr-vel-3', 90_000);
    expect(await pending()).toEqual([
      expect.objectContaining({ transferId: 'tr-vel-3', reason: 'velocity', amount: 90_000 }),
    ]);
    await app.host.advance(24 * HOUR + 1_000);
    expect(await pending()).toEqual([]);
    expect((await app.get('/api/transfers/tr-vel-3')).body).toMatchObject({
      status: 'expired',
      reason: 'approval_expired',
    });
    const all = ApprovalsResponseSchema.parse((await app.get('/api/approvals?status=expired')).body).items;
    expect(all.map((i) => i.transferId)).toEqual(['tr-vel-3']);
  });
});

describe('audit log', () => {
  it('holds exactly one record per stored event (and per reminder), and nothing was dead-lettered', async () => {
    await app.settle();
    const events = new LocalDocumentStore(app.host.db)
      .container('cardflow', 'events', { partitionKeyPath: '/streamId' })
      .query({}) as unknown as Array<{ eventId: string }>;
    const audit = (
      views().query({}) as unknown as Array<{ view?: string; eventId: string; type: string }>
    ).filter((d) => d.view === 'audit');
    // Reminders are published by the process, not stored as events.
    const reminders = audit
      .filter((a) => a.type === 'Cardflow.Transfer.TransferApprovalReminder')
      .map((a) => a.eventId);
    expect(reminders.sort()).toEqual(['tr-inbox-1:reminder', 'tr-vel-3:reminder']);
    expect(audit.map((a) => a.eventId).sort()).toEqual(
      [...events.map((e) => e.eventId), ...reminders].sort(),
    );
    const deadLetters = await app.get('/runtime/eventgrid/deadletters');
    expect(deadLetters.body.value).toEqual([]);
  });
});
