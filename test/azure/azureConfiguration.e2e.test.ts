/**
 * The Azure configuration, run end to end on this machine: the deployable package on the local
 * host with Azure's settings (test/azure/azureHarness.ts) — the Cosmos driver writes to a Cosmos
 * account (@vercel/cosmosdb-server), the Cosmos DB trigger reads that account's containers, events
 * leave through the Event Grid topic client and reach the secondary handlers. Accounts are opened
 * and loaded, a small transfer completes, a large one waits for approval, is approved and completes,
 * and money is conserved.
 */
import { auditPartition } from '../../functions/projections/layout';
import { DATABASE, startAzureApp, type AzureApp } from './azureHarness';

let app: AzureApp;
beforeAll(async () => {
  app = await startAzureApp();
}, 30_000);
afterAll(() => app?.stop());

const LOADED = 300_000;

async function succeeded(accepted: { status: number; body: { statusUrl: string } }): Promise<void> {
  expect(accepted.status).toBe(202);
  const route = new URL(accepted.body.statusUrl).pathname;
  const outcome = await app.eventually(
    () => app.get(route, app.callers.as('ops', 'operator')),
    (answer) => answer.status === 200 && answer.body.status !== 'pending',
    `the outcome of ${route}`,
  );
  expect(outcome.body.status).toBe('succeeded');
}

async function transferReaches(transferId: string, status: string): Promise<Record<string, unknown>> {
  const answer = await app.eventually(
    () => app.get(`/api/transfers/${transferId}`, app.callers.as('ops', 'operator')),
    (a) => a.status === 200 && (a.body.status === status || ['completed', 'failed'].includes(a.body.status)),
    `transfer ${transferId} ${status}`,
  );
  expect(answer.body.status).toBe(status);
  return answer.body;
}

async function account(accountId: string): Promise<{ available: number; reserved: number }> {
  return (await app.get(`/api/accounts/${accountId}`, app.callers.as('ops', 'operator'))).body;
}

describe('the Azure configuration on the local host', () => {
  it('runs the whole transfer flow through Cosmos DB, its change feed and Event Grid, conserving money', async () => {
    for (const [accountId, owner] of [
      ['acc-alice', 'alice'],
      ['acc-bob', 'bob'],
    ])
      await succeeded(
        await app.post(
          '/api/accounts',
          { accountId, ownerId: owner, ownerName: owner, kind: 'user' },
          app.callers.as(owner, 'customer'),
        ),
      );
    await succeeded(
      await app.post(
        '/api/accounts/acc-alice/loads',
        { loadId: 'load-azure-1', amount: LOADED },
        app.callers.as('ops', 'operator'),
      ),
    );

    const alice = app.callers.as('alice', 'customer');
    const transfer = (transferId: string, amount: number) =>
      app.post(
        '/api/transfers',
        { transferId, fromAccountId: 'acc-alice', toAccountId: 'acc-bob', amount, requestedBy: 'alice' },
        alice,
      );
    await succeeded(await transfer('tr-azure-small', 10_000));
    await transferReaches('tr-azure-small', 'completed');

    await succeeded(await transfer('tr-azure-large', 150_000));
    expect(await transferReaches('tr-azure-large', 'awaiting_approval')).toMatchObject({
      approvalReason: 'amount',
    });
    // The approvals inbox is the secondary handler Event Grid delivered the request to.
    const inbox = await app.eventually(
      () => app.get('/api/approvals', app.callers.as('ada', 'approver')),
      (a) =>
        a.status === 200 &&
        a.body.items.some((i: { transferId: string }) => i.transferId === 'tr-azure-large'),
      'the approvals inbox',
    );
    expect(inbox.body.items).toEqual([
      expect.objectContaining({ transferId: 'tr-azure-large', status: 'pending' }),
    ]);

    await succeeded(
      await app.post(
        '/api/transfers/tr-azure-large/decision',
        { decision: 'approve', approver: 'ada' },
        app.callers.as('ada', 'approver'),
      ),
    );
    expect(await transferReaches('tr-azure-large', 'completed')).toMatchObject({ approver: 'ada' });

    const [from, to] = [await account('acc-alice'), await account('acc-bob')];
    expect(from).toMatchObject({ available: LOADED - 160_000, reserved: 0 });
    expect(to).toMatchObject({ available: 160_000, reserved: 0 });
    expect(from.available + from.reserved + to.available + to.reserved).toBe(LOADED);

    // Behind the API, in the account: the events, and the audit log the other secondary handler wrote.
    const database = app.cosmos.database(DATABASE);
    const { resources: events } = await database
      .container('events')
      .items.query({
        query: 'SELECT * FROM c WHERE c.streamId = @s',
        parameters: [{ name: '@s', value: 'transfer-tr-azure-large' }],
      })
      .fetchAll();
    expect(events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['TransferRequested', 'TransferApproved', 'TransferCompleted']),
    );
    await app.eventually(
      async () =>
        (
          await database
            .container('views')
            .items.query({
              query: 'SELECT * FROM c WHERE c.pk = @pk',
              parameters: [{ name: '@pk', value: auditPartition('transfer-tr-azure-large') }],
            })
            .fetchAll()
        ).resources,
      (entries) => entries.some((e: { type?: string }) => e.type === 'Cardflow.Transfer.TransferCompleted'),
      'the audit log',
    );
    // Nothing of the documents went to the host's local store.
    const local = app.host.db.prepare("SELECT name FROM sqlite_master WHERE name = 'doc_items'").all();
    const count = local.length
      ? (app.host.db.prepare('SELECT COUNT(*) AS n FROM doc_items').get() as { n: number }).n
      : 0;
    expect(count).toBe(0);
    expect(app.host.logs.lines('error')).toEqual([]);
  }, 30_000);
});
