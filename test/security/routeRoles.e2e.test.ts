/**
 * Who may call what, over real HTTP on the local host with its Easy Auth: every HTTP function of
 * the app × anonymous and each kind of caller, the expected status and problem code. The callers
 * are distinct authenticated principals: alice owns acc-alice, bob owns acc-bob (the destination),
 * mallory is a customer who owns neither, ada an approver, otto an operator.
 */
import { outcomeOf, startApp, type App } from '../pipeline/harness';
import { tokenOf } from '../support/callers';

jest.setTimeout(120_000);

type Who = 'anonymous' | 'alice' | 'bob' | 'mallory' | 'ada' | 'otto';
const WHO: Who[] = ['anonymous', 'alice', 'bob', 'mallory', 'ada', 'otto'];

const USERS = [
  { id: 'alice', name: 'Alice', roles: ['customer'] },
  { id: 'bob', name: 'Bob', roles: ['customer'] },
  { id: 'mallory', name: 'Mallory', roles: ['customer'] },
  { id: 'ada', name: 'Ada', roles: ['approver'] },
  { id: 'otto', name: 'Otto', roles: ['operator'] },
].map((u) => ({ ...u, token: tokenOf(u.id) }));

let app: App;
let aliceCommand: string;

function as(who: Who): Record<string, string> {
  return who === 'anonymous' ? {} : { authorization: `Bearer ${tokenOf(who)}` };
}

beforeAll(async () => {
  app = await startApp({ users: USERS, settings: { APPROVAL_THRESHOLD: '100000' } });
  for (const [accountId, owner] of [
    ['acc-alice', 'alice'],
    ['acc-bob', 'bob'],
  ] as const) {
    const opened = await app.post('/api/accounts', { accountId, kind: 'user' }, as(owner));
    expect((await outcomeOf(app, opened)).status).toBe('succeeded');
  }
  const loaded = await app.post(
    '/api/accounts/acc-alice/loads',
    { loadId: 'load-1', amount: 500_000 },
    as('otto'),
  );
  expect((await outcomeOf(app, loaded)).status).toBe('succeeded');
  const small = await app.post(
    '/api/transfers',
    { transferId: 'tr-small', fromAccountId: 'acc-alice', toAccountId: 'acc-bob', amount: 1_000 },
    as('alice'),
  );
  expect((await outcomeOf(app, small)).status).toBe('succeeded');
  aliceCommand = small.body.commandId;
  const big = await app.post(
    '/api/transfers',
    { transferId: 'tr-big', fromAccountId: 'acc-alice', toAccountId: 'acc-bob', amount: 150_000 },
    as('alice'),
  );
  expect((await outcomeOf(app, big)).status).toBe('succeeded');
  expect((await app.get('/api/transfers/tr-big')).body.status).toBe('awaiting_approval');
  // Its own waiting transfer, so the operator's cancel meets one whatever the decision row did.
  const toCancel = await app.post(
    '/api/transfers',
    { transferId: 'tr-cancel', fromAccountId: 'acc-alice', toAccountId: 'acc-bob', amount: 150_000 },
    as('alice'),
  );
  expect((await outcomeOf(app, toCancel)).status).toBe('succeeded');
  expect((await app.get('/api/transfers/tr-cancel')).body.status).toBe('awaiting_approval');
});
afterAll(() => app?.stop());

/** status, or [status, problem code] */
type Expected = number | [number, string];

interface Row {
  functionName: string;
  method: 'GET' | 'POST';
  path: () => string;
  body?: unknown;
  expect: Record<Who, Expected>;
}

const A401: [number, string] = [401, 'unauthenticated'];
const F403: [number, string] = [403, 'forbidden'];
const NOT_OWNER: [number, string] = [403, 'not_account_owner'];
const NO_TRANSFER: [number, string] = [404, 'transfer_not_found'];
const anyone = { anonymous: 200, alice: 200, bob: 200, mallory: 200, ada: 200, otto: 200 };
const ownAccountRead = {
  anonymous: A401,
  alice: 200,
  bob: NOT_OWNER,
  mallory: NOT_OWNER,
  ada: F403,
  otto: 200,
};
const transferRead = { anonymous: A401, alice: 200, bob: 200, mallory: NO_TRANSFER, ada: 200, otto: 200 };

const ROWS: Row[] = [
  {
    functionName: 'openAccount',
    method: 'POST',
    path: () => '/api/accounts',
    body: { kind: 'user' },
    expect: { anonymous: A401, alice: 202, bob: 202, mallory: 202, ada: F403, otto: 202 },
  },
  {
    functionName: 'loadCredits',
    method: 'POST',
    path: () => '/api/accounts/acc-alice/loads',
    body: { loadId: 'load-roles', amount: 100 },
    expect: { anonymous: A401, alice: 202, bob: NOT_OWNER, mallory: NOT_OWNER, ada: F403, otto: 202 },
  },
  {
    functionName: 'closeAccount',
    method: 'POST',
    path: () => '/api/accounts/acc-alice/close',
    expect: { anonymous: A401, alice: 202, bob: NOT_OWNER, mallory: NOT_OWNER, ada: F403, otto: 202 },
  },
  {
    functionName: 'requestTransfer',
    method: 'POST',
    path: () => '/api/transfers',
    body: { fromAccountId: 'acc-alice', toAccountId: 'acc-bob', amount: 1 },
    expect: { anonymous: A401, alice: 202, bob: NOT_OWNER, mallory: NOT_OWNER, ada: F403, otto: F403 },
  },
  {
    functionName: 'decideTransfer',
    method: 'POST',
    path: () => '/api/transfers/tr-big/decision',
    body: { decision: 'approve' },
    // Approvers only; ada's approval comes last in the column order, so the others meet a waiting transfer.
    expect: { anonymous: A401, alice: F403, bob: F403, mallory: F403, otto: F403, ada: 202 },
  },
  {
    functionName: 'cancelTransfer',
    method: 'POST',
    path: () => '/api/transfers/tr-cancel/cancel',
    body: { note: 'called off' },
    // Operators only; otto comes last in the column order, so the others meet a waiting transfer.
    expect: { anonymous: A401, alice: F403, bob: F403, mallory: F403, ada: F403, otto: 202 },
  },
  {
    functionName: 'getCommand',
    method: 'GET',
    path: () => `/api/commands/${aliceCommand}`,
    expect: {
      anonymous: A401,
      alice: 200,
      bob: [404, 'command_not_found'],
      mallory: [404, 'command_not_found'],
      ada: [404, 'command_not_found'],
      otto: 200,
    },
  },
  {
    functionName: 'getAccount',
    method: 'GET',
    path: () => '/api/accounts/acc-alice',
    expect: ownAccountRead,
  },
  {
    functionName: 'getStatement',
    method: 'GET',
    path: () => '/api/accounts/acc-alice/statement',
    expect: ownAccountRead,
  },
  {
    functionName: 'getAccountEvents',
    method: 'GET',
    path: () => '/api/accounts/acc-alice/events',
    expect: ownAccountRead,
  },
  { functionName: 'getTransfer', method: 'GET', path: () => '/api/transfers/tr-small', expect: transferRead },
  {
    functionName: 'getTransferProcess',
    method: 'GET',
    path: () => '/api/transfers/tr-small/process',
    expect: transferRead,
  },
  {
    functionName: 'getTransferEvents',
    method: 'GET',
    path: () => '/api/transfers/tr-small/events',
    expect: transferRead,
  },
  {
    functionName: 'listApprovals',
    method: 'GET',
    path: () => '/api/approvals',
    expect: { anonymous: A401, alice: F403, bob: F403, mallory: F403, ada: 200, otto: 200 },
  },
  {
    functionName: 'listDeadLetters',
    method: 'GET',
    path: () => '/api/deadletters',
    expect: { anonymous: A401, alice: F403, bob: F403, mallory: F403, ada: F403, otto: 200 },
  },
  { functionName: 'listReasons', method: 'GET', path: () => '/api/reasons', expect: anyone },
  { functionName: 'health', method: 'GET', path: () => '/api/health', expect: anyone },
  { functionName: 'liveness', method: 'GET', path: () => '/api/health/live', expect: anyone },
  { functionName: 'openApi', method: 'GET', path: () => '/api/openapi.json', expect: anyone },
  { functionName: 'dashboard', method: 'GET', path: () => '/api/dashboard/', expect: anyone },
];

describe('the route × role matrix', () => {
  it('covers every HTTP function of the app', () => {
    const http = app.host.httpFunctions.map((f) => f.functionName).sort();
    expect(ROWS.map((r) => r.functionName).sort()).toEqual(http);
  });

  for (const row of ROWS) {
    const order = (Object.keys(row.expect) as Who[]).sort((a, b) => WHO.indexOf(a) - WHO.indexOf(b));
    // decideTransfer lists its columns in the order they must run.
    const columns = row.functionName === 'decideTransfer' ? (Object.keys(row.expect) as Who[]) : order;
    it(`${row.method} ${row.functionName}`, async () => {
      const seen: Record<string, Expected> = {};
      for (const who of columns) {
        const answer = await app.host.fetch(row.path(), {
          method: row.method,
          headers: { ...(row.body === undefined ? {} : { 'content-type': 'application/json' }), ...as(who) },
          body: row.body === undefined ? undefined : JSON.stringify(row.body),
        });
        const text = await answer.text();
        if (answer.status >= 400) {
          expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          seen[who] = [answer.status, (JSON.parse(text) as { code: string }).code];
        } else seen[who] = answer.status;
        expect(answer.status).toBeLessThan(500);
      }
      const expected = Object.fromEntries(columns.map((who) => [who, row.expect[who]]));
      expect(seen).toEqual(expected);
    });
  }
});

describe('identities the body names', () => {
  it('refuses a request that names someone other than the caller as requester, approver or owner', async () => {
    const asRequester = await app.post(
      '/api/transfers',
      { fromAccountId: 'acc-alice', toAccountId: 'acc-bob', amount: 1, requestedBy: 'bob' },
      as('alice'),
    );
    expect(asRequester.status).toBe(400);
    expect(asRequester.body.code).toBe('identity_mismatch');
    const asOwner = await app.post(
      '/api/accounts',
      { ownerId: 'bob', ownerName: 'Bob', kind: 'user' },
      as('mallory'),
    );
    expect(asOwner.body).toMatchObject({ status: 400, code: 'identity_mismatch' });
    const loadedBy = await app.post(
      '/api/accounts/acc-alice/loads',
      { amount: 5, loadedBy: 'alice' },
      as('otto'),
    );
    expect(loadedBy.body).toMatchObject({ status: 400, code: 'identity_mismatch' });
  });

  it('records the caller as the requester and the loader', async () => {
    const requested = await app.post(
      '/api/transfers',
      { transferId: 'tr-who', fromAccountId: 'acc-alice', toAccountId: 'acc-bob', amount: 2 },
      as('alice'),
    );
    expect((await outcomeOf(app, requested)).status).toBe('succeeded');
    const [event] = await app.stores.events.readStream('transfer-tr-who', 1);
    expect(event.data).toMatchObject({ requestedBy: 'alice' });
    const loaded = await app.post(
      '/api/accounts/acc-bob/loads',
      { loadId: 'load-bob-who', amount: 7 },
      as('bob'),
    );
    expect((await outcomeOf(app, loaded)).status).toBe('succeeded');
    const events = await app.stores.events.readStream('account-acc-bob');
    expect(events.find((e) => e.type === 'CreditsLoaded')?.data).toMatchObject({ loadedBy: 'bob' });
  });

  it('lets an operator open an account for a named customer', async () => {
    const opened = await app.post(
      '/api/accounts',
      { accountId: 'acc-carol', ownerId: 'carol', ownerName: 'Carol', kind: 'user' },
      as('otto'),
    );
    expect((await outcomeOf(app, opened)).status).toBe('succeeded');
    expect((await app.get('/api/accounts/acc-carol')).body).toMatchObject({ ownerId: 'carol' });
  });
});

describe('forged principals', () => {
  const principal = (id: string, role: string): string =>
    Buffer.from(
      JSON.stringify({
        auth_typ: 'aad',
        claims: [
          { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: id },
          { typ: 'roles', val: role },
        ],
      }),
    ).toString('base64');
  const forged = (id: string, role: string) => ({
    'x-ms-client-principal': principal(id, role),
    'x-ms-client-principal-id': id,
    'x-ms-client-principal-name': id,
    'x-ms-client-principal-idp': 'aad',
  });

  it('are stripped: an anonymous client claiming to be an operator stays anonymous', async () => {
    const answer = await app.host.fetch('/api/deadletters', { headers: forged('otto', 'operator') });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('are stripped: a customer claiming to be the owner is still herself', async () => {
    const answer = await app.host.fetch('/api/accounts/acc-alice', {
      headers: { ...forged('alice', 'customer'), ...as('mallory') },
    });
    expect(answer.status).toBe(403);
    expect(await answer.json()).toMatchObject({ code: 'not_account_owner' });
  });

  it('cannot move money: a forged requester is refused before anything is stored', async () => {
    const before = await app.stores.events.streamVersion('account-acc-alice');
    const answer = await app.host.fetch('/api/transfers', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...forged('alice', 'customer') },
      body: JSON.stringify({
        transferId: 'tr-forged',
        fromAccountId: 'acc-alice',
        toAccountId: 'acc-bob',
        amount: 10,
      }),
    });
    expect(answer.status).toBe(401);
    await app.settle();
    expect(await app.stores.events.streamVersion('transfer-tr-forged')).toBe(0);
    expect(await app.stores.events.streamVersion('account-acc-alice')).toBe(before);
  });

  it('an unknown bearer token is 401 invalid_token', async () => {
    const answer = await app.host.fetch('/api/accounts/acc-alice', {
      headers: { authorization: 'Bearer guessed-token-000000' },
    });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ code: 'invalid_token' });
  });
});
