/**
 * The transfer flow both Azure-configuration runs drive over HTTP: two accounts opened, one loaded,
 * a small transfer completed, a large one approved and completed, money conserved, and behind the
 * API, in the Cosmos account, the events and the audit log the secondary handler wrote.
 */
import type { CosmosClient } from '@azure/cosmos';
import { auditPartition } from '../../functions/projections/layout';

export type Role = 'customer' | 'approver' | 'operator';

/* eslint-disable @typescript-eslint/no-explicit-any -- answers are checked field by field */
export interface AzureConfiguredApp {
  /** The headers that authenticate `id` with `role`. */
  as(id: string, role: Role): Record<string, string>;
  /** A client on the Cosmos test server, for looking behind the API. */
  cosmos: CosmosClient;
  post(route: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: any }>;
  get(route: string, headers: Record<string, string>): Promise<{ status: number; body: any }>;
  /** Polls `read` until `done` holds (real time: the account is written by the app's SDK). */
  eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T>;
}

export const DATABASE = 'cardflow';
export const LOADED = 300_000;

/** Polls `read` every 20 ms until `done`, for at most 15 s. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function expectTransferFlow(app: AzureConfiguredApp): Promise<void> {
  const ops = app.as('ops', 'operator');
  const succeeded = async (accepted: { status: number; body: { statusUrl: string } }): Promise<void> => {
    expect(accepted.status).toBe(202);
    const route = new URL(accepted.body.statusUrl).pathname;
    const outcome = await app.eventually(
      () => app.get(route, ops),
      (answer) => answer.status === 200 && answer.body.status !== 'pending',
      `the outcome of ${route}`,
    );
    expect(outcome.body.status).toBe('succeeded');
  };
  const transferReaches = async (transferId: string, status: string): Promise<Record<string, unknown>> => {
    const answer = await app.eventually(
      () => app.get(`/api/transfers/${transferId}`, ops),
      (a) =>
        a.status === 200 && (a.body.status === status || ['completed', 'failed'].includes(a.body.status)),
      `transfer ${transferId} ${status}`,
    );
    expect(answer.body.status).toBe(status);
    return answer.body;
  };

  for (const [accountId, owner] of [
    ['acc-alice', 'alice'],
    ['acc-bob', 'bob'],
  ])
    await succeeded(
      await app.post(
        '/api/accounts',
        { accountId, ownerId: owner, ownerName: owner, kind: 'user' },
        app.as(owner, 'customer'),
      ),
    );
  await succeeded(
    await app.post('/api/accounts/acc-alice/loads', { loadId: 'load-azure-1', amount: LOADED }, ops),
  );

  const transfer = (transferId: string, amount: number) =>
    app.post(
      '/api/transfers',
      { transferId, fromAccountId: 'acc-alice', toAccountId: 'acc-bob', amount, requestedBy: 'alice' },
      app.as('alice', 'customer'),
    );
  await succeeded(await transfer('tr-azure-small', 10_000));
  await transferReaches('tr-azure-small', 'completed');

  await succeeded(await transfer('tr-azure-large', 150_000));
  expect(await transferReaches('tr-azure-large', 'awaiting_approval')).toMatchObject({
    approvalReason: 'amount',
  });
  // The approvals inbox is the secondary handler Event Grid delivered the request to.
  const approver = app.as('ada', 'approver');
  const inbox = await app.eventually(
    () => app.get('/api/approvals', approver),
    (a) =>
      a.status === 200 && a.body.items.some((i: { transferId: string }) => i.transferId === 'tr-azure-large'),
    'the approvals inbox',
  );
  expect(inbox.body.items).toEqual([
    expect.objectContaining({ transferId: 'tr-azure-large', status: 'pending' }),
  ]);

  await succeeded(
    await app.post(
      '/api/transfers/tr-azure-large/decision',
      { decision: 'approve', approver: 'ada' },
      approver,
    ),
  );
  expect(await transferReaches('tr-azure-large', 'completed')).toMatchObject({ approver: 'ada' });

  const account = async (id: string) => (await app.get(`/api/accounts/${id}`, ops)).body;
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
}
