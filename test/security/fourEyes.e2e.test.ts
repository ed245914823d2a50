/**
 * The four-eyes rule with authenticated identities: whoever requested a transfer, or owns its
 * source account, cannot decide on it — not through the API (refused at once), and not through
 * the Durable HTTP API's raiseEvent either (the orchestrator's machine ignores the decision).
 */
import { outcomeOf, startApp, type App } from '../pipeline/harness';
import { tokenOf } from '../support/callers';

jest.setTimeout(60_000);

const DURABLE = '/runtime/webhooks/durabletask';
// Alice is a customer who is also an approver: the rule is about the person, not the role.
const USERS = [
  { id: 'alice', name: 'Alice', roles: ['customer', 'approver'] },
  { id: 'bob', name: 'Bob', roles: ['customer'] },
  { id: 'ada', name: 'Ada', roles: ['approver'] },
  { id: 'otto', name: 'Otto', roles: ['operator'] },
].map((u) => ({ ...u, token: tokenOf(u.id) }));
const as = (id: string) => ({ authorization: `Bearer ${tokenOf(id)}` });

let app: App;
beforeAll(async () => {
  app = await startApp({ users: USERS });
  for (const [accountId, owner] of [
    ['acc-alice', 'alice'],
    ['acc-bob', 'bob'],
  ]) {
    expect(
      (await outcomeOf(app, await app.post('/api/accounts', { accountId, kind: 'user' }, as(owner)))).status,
    ).toBe('succeeded');
  }
  const load = await app.post(
    '/api/accounts/acc-alice/loads',
    { loadId: 'l-1', amount: 900_000 },
    as('otto'),
  );
  expect((await outcomeOf(app, load)).status).toBe('succeeded');
});
afterAll(() => app?.stop());

async function awaiting(transferId: string): Promise<void> {
  const requested = await app.post(
    '/api/transfers',
    { transferId, fromAccountId: 'acc-alice', toAccountId: 'acc-bob', amount: 200_000 },
    as('alice'),
  );
  expect((await outcomeOf(app, requested)).status).toBe('succeeded');
  expect((await app.get(`/api/transfers/${transferId}`)).body.status).toBe('awaiting_approval');
}

function raise(transferId: string, decision: object): Promise<Response> {
  return app.host.fetch(`${DURABLE}/instances/${transferId}/raiseEvent/ApprovalDecision`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(decision),
  });
}

it('refuses the requester and source owner through the API, and takes a distinct approver', async () => {
  await awaiting('tr-eyes-api');
  const own = await app.post('/api/transfers/tr-eyes-api/decision', { decision: 'approve' }, as('alice'));
  expect(own.status).toBe(403);
  expect(own.body.code).toBe('approver_is_requester');
  await app.settle();
  expect((await app.get('/api/transfers/tr-eyes-api')).body.status).toBe('awaiting_approval');

  const other = await app.post('/api/transfers/tr-eyes-api/decision', { decision: 'approve' }, as('ada'));
  expect((await outcomeOf(app, other)).status).toBe('succeeded');
  expect((await app.get('/api/transfers/tr-eyes-api')).body).toMatchObject({
    status: 'completed',
    approver: 'ada',
  });
});

it('ignores, in the orchestrator, a decision raised straight on the instance by the requester', async () => {
  await awaiting('tr-eyes-raw');
  expect((await raise('tr-eyes-raw', { decision: 'approve', approver: 'alice' })).status).toBe(202);
  await app.settle();
  expect((await app.get('/api/transfers/tr-eyes-raw')).body.status).toBe('awaiting_approval');
  const stream = await app.stores.events.readStream('transfer-tr-eyes-raw');
  expect(stream.map((e) => e.type)).not.toContain('TransferApproved');

  expect((await raise('tr-eyes-raw', { decision: 'reject', approver: 'ada', note: 'no' })).status).toBe(202);
  await app.settle();
  expect((await app.get('/api/transfers/tr-eyes-raw')).body).toMatchObject({
    status: 'rejected',
    approver: 'ada',
  });
  // The reservation went back: alice keeps everything but the completed transfer.
  expect((await app.get('/api/accounts/acc-alice')).body).toMatchObject({
    available: 900_000 - 200_000,
    reserved: 0,
  });
});
