/**
 * With function keys configured (as in Azure), no answer gives a key away, the management API still
 * needs the master key, the Event Grid topic takes no well-known key, and the pipeline works: the
 * audit log, fed through Event Grid, records who requested and who loaded.
 */
import { outcomeOf, pathOf, startApp, type App } from '../pipeline/harness';
import { tokenOf } from '../support/callers';
import type { AuditRecord } from '../../functions/secondary/recordAudit';

jest.setTimeout(60_000);

const MASTER = 'master-key-never-shown-0123456789';
const FUNCTION_KEY = 'function-key-never-shown-9876543210';
const USERS = [
  { id: 'alice', name: 'Alice', roles: ['customer'] },
  { id: 'bob', name: 'Bob', roles: ['customer'] },
  { id: 'ada', name: 'Ada', roles: ['approver'] },
  { id: 'otto', name: 'Otto', roles: ['operator'] },
].map((u) => ({ ...u, token: tokenOf(u.id) }));
const as = (id: string) => ({ authorization: `Bearer ${tokenOf(id)}` });

let app: App;
const answers: Array<{ what: string; status: number; headers: string; body: string }> = [];

function headerText(headers: Headers): string {
  const lines: string[] = [];
  headers.forEach((value, name) => lines.push(`${name}: ${value}`));
  return lines.join('\n');
}

async function record(what: string, path: string, init: RequestInit = {}): Promise<Response> {
  const response = await app.host.fetch(path, { redirect: 'manual', ...init });
  const body = await response.clone().text();
  answers.push({
    what,
    status: response.status,
    headers: headerText(response.headers),
    body,
  });
  return response;
}

const post = (who: string, body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...as(who) },
  body: JSON.stringify(body),
});

beforeAll(async () => {
  app = await startApp({ users: USERS, masterKey: MASTER, functionKeys: [FUNCTION_KEY] });
});
afterAll(() => app?.stop());

it('answers every route without giving a key away', async () => {
  for (const [accountId, owner] of [
    ['acc-alice', 'alice'],
    ['acc-bob', 'bob'],
  ]) {
    const opened = await record(
      `open ${accountId}`,
      '/api/accounts',
      post(owner, { accountId, kind: 'user' }),
    );
    expect(opened.status).toBe(202);
  }
  await app.settle();
  await record('load', '/api/accounts/acc-alice/loads', post('otto', { loadId: 'l-1', amount: 300_000 }));
  await app.settle();
  const requested = await record(
    'transfer',
    '/api/transfers',
    post('alice', {
      transferId: 'tr-keys',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-bob',
      amount: 150_000,
    }),
  );
  const accepted = (await requested.json()) as { statusUrl: string; processStatusUrl: string };
  expect((await outcomeOf(app, { body: accepted })).status).toBe('succeeded');
  await record('decision', '/api/transfers/tr-keys/decision', post('ada', { decision: 'approve' }));
  await app.settle();
  for (const [what, path, who] of [
    ['command', pathOf(accepted.statusUrl), 'alice'],
    ['process', pathOf(accepted.processStatusUrl), 'alice'],
    ['transfer', '/api/transfers/tr-keys', 'alice'],
    ['transfer events', '/api/transfers/tr-keys/events', 'otto'],
    ['account', '/api/accounts/acc-alice', 'alice'],
    ['statement', '/api/accounts/acc-alice/statement', 'alice'],
    ['account events', '/api/accounts/acc-alice/events', 'otto'],
    ['approvals', '/api/approvals?status=all', 'ada'],
    ['dead letters', '/api/deadletters', 'otto'],
    ['reasons', '/api/reasons', 'alice'],
    ['openapi', '/api/openapi.json', 'alice'],
    ['dashboard', '/api/dashboard/', 'alice'],
    ['dashboard redirect', '/api/dashboard', 'alice'],
    ['me', '/.auth/me', 'alice'],
    ['sign-in page', '/.auth/login/local', 'alice'],
    ['unknown route', '/api/nothing-here', 'alice'],
  ]) {
    const response = await record(what, path, { headers: as(who) });
    expect(response.status).toBeLessThan(500);
  }
  expect((await app.get('/api/transfers/tr-keys', as('alice'))).body.status).toBe('completed');

  const leaks = answers.filter((a) =>
    [MASTER, FUNCTION_KEY].some((key) => a.body.includes(key) || a.headers.includes(key)),
  );
  expect(leaks.map((a) => a.what)).toEqual([]);
  expect(answers.length).toBeGreaterThan(20);
});

it('keeps the Durable management API behind the master key', async () => {
  expect((await app.host.fetch('/runtime/webhooks/durabletask/instances/tr-keys')).status).toBe(401);
  expect(
    (await app.host.fetch(`/runtime/webhooks/durabletask/instances/tr-keys?code=${FUNCTION_KEY}`)).status,
  ).toBe(401);
  const withKey = await app.host.fetch(`/runtime/webhooks/durabletask/instances/tr-keys?code=${MASTER}`);
  expect(withKey.status).toBe(200);
});

it('refuses the well-known development key at the Event Grid topic, yet delivers the app’s events', async () => {
  const published = await app.host.fetch('/runtime/eventgrid/topics/cardflow', {
    method: 'POST',
    headers: {
      'content-type': 'application/cloudevents-batch+json; charset=utf-8',
      'aeg-sas-key': 'local-dev-key',
    },
    body: JSON.stringify([
      {
        specversion: '1.0',
        id: 'forged-1',
        type: 'Cardflow.Transfer.TransferCompleted',
        source: '/cardflow/x',
        data: {},
      },
    ]),
  });
  expect(published.status).toBe(401);
  // The app published with the key generated for this run: the audit log got the transfer's events.
  const audit = await app.stores.views.query<AuditRecord>('audit-transfer-tr-keys', {
    where: { view: 'audit' },
  });
  expect(audit.find((r) => r.type === 'Cardflow.Transfer.TransferRequested')?.data).toMatchObject({
    requestedBy: 'alice',
  });
  expect(audit.find((r) => r.type === 'Cardflow.Transfer.TransferApproved')?.data).toMatchObject({
    approver: 'ada',
  });
  const loads = await app.stores.views.query<AuditRecord>('audit-account-acc-alice', {
    where: { view: 'audit' },
  });
  expect(loads.find((r) => r.type === 'Cardflow.Account.CreditsLoaded')?.data).toMatchObject({
    loadedBy: 'otto',
  });
});
