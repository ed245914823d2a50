/**
 * The HTTP API of docs/architecture.md, HTTP API over real HTTP on the local test host: every route's success and
 * failure paths, idempotent repeats, Idempotency-Key, and a fuzz of every route that must never
 * answer 500.
 */
import fc from 'fast-check';
import { commandId } from '../../domain/commandId';
import {
  AccountResponseSchema,
  ApprovalsResponseSchema,
  CommandAcceptedSchema,
  CommandStatusSchema,
  DeadLettersResponseSchema,
  ProblemSchema,
  StatementResponseSchema,
  StreamResponseSchema,
  TransferResponseSchema,
} from '../../functions/http/schemas';
import { outcomeOf, pathOf, PROBLEM_JSON, startApp, type App } from './harness';

let app: App;
beforeAll(async () => {
  app = await startApp();
  await openAccount('acc-alice', 'alice', 'Alice');
  await openAccount('acc-bob', 'bob', 'Bob');
  const load = await app.post('/api/accounts/acc-alice/loads', { loadId: 'load-1', amount: 10_000 });
  expect((await outcomeOf(app, load)).status).toBe('succeeded');
});
afterAll(() => app?.stop());

async function openAccount(accountId: string, ownerId: string, ownerName: string): Promise<void> {
  const opened = await app.post('/api/accounts', { accountId, ownerId, ownerName, kind: 'user' });
  expect(opened.status).toBe(202);
  expect((await outcomeOf(app, opened)).status).toBe('succeeded');
}

function expectProblem(
  answer: { status: number; body: unknown; headers: Headers },
  status: number,
  code: string,
): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(PROBLEM_JSON);
  expect(ProblemSchema.parse(answer.body)).toMatchObject({ status, code });
}

describe('POST /api/accounts', () => {
  it('accepts an OpenAccount command with 202, the command id, the account id and where to poll', async () => {
    const answer = await app.post('/api/accounts', {
      accountId: 'acc-carol',
      ownerId: 'carol',
      ownerName: 'Carol',
      kind: 'merchant',
    });
    expect(answer.status).toBe(202);
    const body = CommandAcceptedSchema.parse(answer.body);
    expect(body).toMatchObject({
      accountId: 'acc-carol',
      statusUrl: expect.stringMatching(new RegExp(`/api/commands/${body.commandId}$`)),
    });
    expect(answer.headers.get('location')).toBe(body.statusUrl);
    expect(CommandStatusSchema.parse((await app.get(pathOf(body.statusUrl))).body).status).toMatch(
      /pending|succeeded/,
    );
    expect(await outcomeOf(app, answer)).toMatchObject({ type: 'OpenAccount', status: 'succeeded' });
    expect(AccountResponseSchema.parse((await app.get('/api/accounts/acc-carol')).body)).toEqual({
      accountId: 'acc-carol',
      ownerId: 'carol',
      ownerName: 'Carol',
      kind: 'merchant',
      status: 'open',
      available: 0,
      reserved: 0,
      version: 1,
    });
  });

  it('answers a repeated identical request with the same body and changes nothing', async () => {
    const request = { accountId: 'acc-dave', ownerId: 'dave', ownerName: 'Dave', kind: 'user' };
    const first = await app.post('/api/accounts', request);
    await app.settle();
    const second = await app.post('/api/accounts', request);
    await app.settle();
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(await app.stores.events.streamVersion('account-acc-dave')).toBe(1);
    expect((await app.get('/api/accounts/acc-dave')).body.version).toBe(1);
  });

  it('derives the account id from the Idempotency-Key when the body names none', async () => {
    const request = { ownerId: 'erin', ownerName: 'Erin', kind: 'user' };
    const first = await app.post('/api/accounts', request, { 'idempotency-key': 'open-erin-1' });
    const again = await app.post('/api/accounts', request, { 'idempotency-key': 'open-erin-1' });
    const other = await app.post('/api/accounts', request, { 'idempotency-key': 'open-erin-2' });
    const keyless = await app.post('/api/accounts', request);
    expect(again.body).toEqual(first.body);
    expect(other.body.accountId).not.toBe(first.body.accountId);
    expect(keyless.body.accountId).not.toBe(first.body.accountId);
    expect(first.body.accountId).toMatch(/^[a-z0-9][a-z0-9-]{2,63}$/);
    expect((await outcomeOf(app, first)).status).toBe('succeeded');
    expect((await app.get(`/api/accounts/${first.body.accountId}`)).body).toMatchObject({
      ownerId: 'erin',
      version: 1,
    });
  });

  it('refuses an invalid body with 400 and the zod issues in errors', async () => {
    // The owner is the caller (filled in when the body leaves it out), so it is not among the issues.
    const answer = await app.post('/api/accounts', {
      accountId: 'No Caps',
      ownerName: '',
      kind: 'robot',
      extra: 1,
    });
    expectProblem(answer, 400, 'invalid_request');
    const paths = (answer.body.errors as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['accountId', 'ownerName', 'kind']));
    expect(paths).not.toContain('ownerId');
  });

  it('refuses malformed JSON with 400, a non-JSON body with 415 and a body over 64 KiB with 413', async () => {
    expectProblem(await app.post('/api/accounts', '{"accountId":'), 400, 'malformed_json');
    expectProblem(
      await app.post('/api/accounts', 'accountId=acc-x', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      415,
      'unsupported_media_type',
    );
    const huge = JSON.stringify({ ownerId: 'huge', ownerName: 'x'.repeat(70 * 1024), kind: 'user' });
    expectProblem(await app.post('/api/accounts', huge), 413, 'body_too_large');
  });

  it('refuses an Idempotency-Key that is not printable ASCII', async () => {
    expectProblem(
      await app.post(
        '/api/accounts',
        { ownerId: 'frank', ownerName: 'Frank', kind: 'user' },
        { 'idempotency-key': 'has space' },
      ),
      400,
      'invalid_request',
    );
  });
});

describe('unknown routes and wrong methods', () => {
  it('answers 404 for an unknown route and 405 for a known route with another method', async () => {
    const unknown = await app.get('/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(PROBLEM_JSON);
    const wrong = await app.get('/api/transfers');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('content-type')).toMatch(PROBLEM_JSON);
    const put = await app.host.fetch('/api/accounts/acc-alice', { method: 'PUT', body: '{}' });
    expect(put.status).toBe(405);
  });
});

describe('POST /api/accounts/{id}/loads', () => {
  it('credits the amount minus the 0.02 % fee and lists the load in the statement', async () => {
    const answer = await app.post('/api/accounts/acc-bob/loads', { loadId: 'bob-load-1', amount: 2_500 });
    expect(CommandAcceptedSchema.parse(answer.body)).toMatchObject({ loadId: 'bob-load-1' });
    expect((await outcomeOf(app, answer)).status).toBe('succeeded');
    expect((await app.get('/api/accounts/acc-bob')).body).toMatchObject({
      available: 2_499,
      reserved: 0,
      version: 2,
    });
    const statement = StatementResponseSchema.parse((await app.get('/api/accounts/acc-bob/statement')).body);
    expect(statement.entries).toEqual([
      { at: '2026-01-01T00:00:00.000Z', type: 'CreditsLoaded', amount: 2_500, fee: 1, balanceAfter: 2_499 },
    ]);
  });

  it('loads once when the same Idempotency-Key is sent twice', async () => {
    const first = await app.post(
      '/api/accounts/acc-dave/loads',
      { amount: 60_000 },
      { 'idempotency-key': 'dave-topup' },
    );
    const again = await app.post(
      '/api/accounts/acc-dave/loads',
      { amount: 60_000 },
      { 'idempotency-key': 'dave-topup' },
    );
    expect(again.body).toEqual(first.body);
    expect((await outcomeOf(app, again)).status).toBe('succeeded');
    expect((await app.get('/api/accounts/acc-dave')).body).toMatchObject({ available: 60_000, version: 2 });
  });

  it('rejects a load to an unknown account with the reason code', async () => {
    const answer = await app.post('/api/accounts/acc-nobody/loads', { loadId: 'nobody-1', amount: 100 });
    expect(await outcomeOf(app, answer)).toMatchObject({ status: 'rejected', reason: 'account_not_found' });
  });

  it.each([[0], [1.5], [-3], [1e13], ['100']])('refuses amount %p with 400', async (amount) => {
    expectProblem(
      await app.post('/api/accounts/acc-bob/loads', { loadId: 'bad-amount', amount }),
      400,
      'invalid_request',
    );
  });

  it('refuses an invalid account id in the path with 400', async () => {
    expectProblem(
      await app.post('/api/accounts/NOT-VALID/loads', { loadId: 'l-x', amount: 100 }),
      400,
      'invalid_request',
    );
  });

  it('refuses a load with neither a loadId nor an Idempotency-Key with 400 idempotency_required', async () => {
    const before = await app.stores.events.streamVersion('account-acc-bob');
    expectProblem(
      await app.post('/api/accounts/acc-bob/loads', { amount: 100 }),
      400,
      'idempotency_required',
    );
    await app.settle();
    expect(await app.stores.events.streamVersion('account-acc-bob')).toBe(before);
  });
});

describe('POST /api/accounts/{id}/close', () => {
  it('closes an empty account, with or without a body', async () => {
    await openAccount('acc-empty', 'gina', 'Gina');
    const closed = await app.host.fetch('/api/accounts/acc-empty/close', {
      method: 'POST',
      headers: app.callers.as('gina', 'customer'),
    });
    expect(closed.status).toBe(202);
    expect(await outcomeOf(app, { body: (await closed.json()) as { statusUrl: string } })).toMatchObject({
      status: 'succeeded',
    });
    expect((await app.get('/api/accounts/acc-empty')).body.status).toBe('closed');
  });

  it('rejects closing an account that still holds credits', async () => {
    const answer = await app.post('/api/accounts/acc-alice/close', {});
    expect(await outcomeOf(app, answer)).toMatchObject({ status: 'rejected', reason: 'account_not_empty' });
  });
});

describe('POST /api/transfers', () => {
  it('accepts a transfer with the process status URL of instance = transfer id', async () => {
    const answer = await app.post('/api/transfers', {
      transferId: 'tr-api-1',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-bob',
      amount: 500,
      requestedBy: 'alice',
    });
    const body = CommandAcceptedSchema.parse(answer.body);
    expect(body.transferId).toBe('tr-api-1');
    // The app's own status route, which checks the caller: no management URL, no key.
    expect(body.processStatusUrl).toBe(`${app.host.baseUrl}/api/transfers/tr-api-1/process`);
    expect((await outcomeOf(app, answer)).status).toBe('succeeded');
    expect(TransferResponseSchema.parse((await app.get('/api/transfers/tr-api-1')).body)).toMatchObject({
      transferId: 'tr-api-1',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-bob',
      amount: 500,
      requestedBy: 'alice',
    });
    const instance = await app.get(
      pathOf(body.processStatusUrl as string),
      app.callers.as('alice', 'customer'),
    );
    expect(instance.status).toBe(200);
    expect(instance.body).toMatchObject({ instanceId: 'tr-api-1', runtimeStatus: 'Completed' });
    expect(JSON.stringify(instance.body)).not.toMatch(/code=|webhooks/);
  });

  it('derives the transfer id from the Idempotency-Key and stores the request once', async () => {
    const request = {
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-bob',
      amount: 300,
      requestedBy: 'alice',
      note: 'lunch',
    };
    const first = await app.post('/api/transfers', request, { 'idempotency-key': 'lunch-2026-01-01' });
    const again = await app.post('/api/transfers', request, { 'idempotency-key': 'lunch-2026-01-01' });
    expect(again.body).toEqual(first.body);
    expect((await outcomeOf(app, again)).status).toBe('succeeded');
    expect(await app.stores.events.streamVersion(`transfer-${first.body.transferId}`)).toBeGreaterThanOrEqual(
      1,
    );
    const requested = (await app.stores.events.readStream(`transfer-${first.body.transferId}`)).filter(
      (e) => e.type === 'TransferRequested',
    );
    expect(requested).toHaveLength(1);
  });

  it('refuses a different transfer sent with an Idempotency-Key already used with 422', async () => {
    const first = await app.post(
      '/api/transfers',
      { fromAccountId: 'acc-alice', toAccountId: 'acc-bob', amount: 10, requestedBy: 'alice' },
      { 'idempotency-key': 'reused-key' },
    );
    const other = await app.post(
      '/api/transfers',
      { fromAccountId: 'acc-alice', toAccountId: 'acc-bob', amount: 20, requestedBy: 'alice' },
      { 'idempotency-key': 'reused-key' },
    );
    expectProblem(other, 422, 'idempotency_key_reused');
    expect((await outcomeOf(app, first)).status).toBe('succeeded');
    expect((await app.get(`/api/transfers/${first.body.transferId}`)).body.amount).toBe(10);
  });

  it('rejects a transfer to the same account, or from an unknown or closed account, with the reason code', async () => {
    const same = await app.post('/api/transfers', {
      transferId: 'tr-same',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-alice',
      amount: 1,
      requestedBy: 'alice',
    });
    // What the request alone reveals is refused at once (the decider refuses it again, see executeCommand).
    expectProblem(same, 400, 'same_account');
    const unknown = await app.post('/api/transfers', {
      transferId: 'tr-ghost',
      fromAccountId: 'acc-ghost',
      toAccountId: 'acc-alice',
      amount: 1,
      requestedBy: 'alice',
    });
    // Nobody owns an account that does not exist: refused at once.
    expectProblem(unknown, 404, 'account_not_found');
    const nowhere = await app.post('/api/transfers', {
      transferId: 'tr-nowhere',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-ghost',
      amount: 1,
      requestedBy: 'alice',
    });
    expectProblem(nowhere, 404, 'account_not_found');
    const closed = await app.post('/api/transfers', {
      transferId: 'tr-closed',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-empty',
      amount: 1,
      requestedBy: 'alice',
    });
    expect(await outcomeOf(app, closed)).toMatchObject({ status: 'rejected', reason: 'account_closed' });
    await app.settle();
    for (const transferId of ['tr-same', 'tr-ghost', 'tr-nowhere'])
      expect(await app.stores.events.streamVersion(`transfer-${transferId}`)).toBe(0);
  });

  it('refuses a body with a note over 500 characters with 400; the requester is the caller', async () => {
    const answer = await app.post('/api/transfers', {
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-bob',
      amount: 1,
      note: 'n'.repeat(501),
    });
    expectProblem(answer, 400, 'invalid_request');
    expect((answer.body.errors as Array<{ path: string }>).map((e) => e.path).sort()).toEqual(['note']);
  });
});

describe('POST /api/transfers/{id}/decision', () => {
  it('answers 404 for an unknown transfer', async () => {
    expectProblem(
      await app.post('/api/transfers/tr-unknown/decision', { decision: 'approve', approver: 'carol' }),
      404,
      'transfer_not_found',
    );
  });

  it('answers 409 for a transfer that is not awaiting approval', async () => {
    await app.settle();
    const status = (await app.get('/api/transfers/tr-api-1')).body.status;
    expect(status).not.toBe('awaiting_approval');
    expectProblem(
      await app.post('/api/transfers/tr-api-1/decision', { decision: 'approve', approver: 'carol' }),
      409,
      'not_awaiting_approval',
    );
  });

  it('rejects, in the command handler, a decision on a transfer that no longer awaits approval', async () => {
    // Submitted behind the API's back, as if the transfer finished between the API's check and the handling.
    const data = { transferId: 'tr-api-1', decision: 'approve' as const, approver: 'carol' };
    const id = commandId('DecideTransfer', data);
    expect(await app.stores.commands.submit({ id, type: 'DecideTransfer', data })).toBe('created');
    await app.settle();
    expect(await app.stores.commands.get(id)).toMatchObject({
      status: 'rejected',
      reason: 'not_awaiting_approval',
    });
  });

  it('refuses a decision that is neither approve nor reject with 400', async () => {
    expectProblem(
      await app.post('/api/transfers/tr-api-1/decision', { decision: 'maybe', approver: 'carol' }),
      400,
      'invalid_request',
    );
  });

  it('records the decision of a transfer awaiting approval, and answers a repeat with the same body', async () => {
    await app.post('/api/accounts/acc-alice/loads', { loadId: 'load-big', amount: 200_000 });
    await app.settle();
    const requested = await app.post('/api/transfers', {
      transferId: 'tr-big',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-bob',
      amount: 150_000,
      requestedBy: 'alice',
    });
    expect((await outcomeOf(app, requested)).status).toBe('succeeded');
    expect((await app.get('/api/transfers/tr-big')).body).toMatchObject({
      status: 'awaiting_approval',
      approvalReason: 'amount',
    });
    // Neither the requester nor the source account's owner may decide; the transfer keeps waiting.
    const byRequester = await app.post('/api/transfers/tr-big/decision', {
      decision: 'approve',
      approver: 'alice',
    });
    expectProblem(byRequester, 403, 'approver_is_requester');
    expect((await app.get('/api/transfers/tr-big')).body.status).toBe('awaiting_approval');
    const decision = await app.post('/api/transfers/tr-big/decision', {
      decision: 'reject',
      approver: 'carol',
      note: 'too much',
    });
    expect(decision.status).toBe(202);
    expect(CommandAcceptedSchema.parse(decision.body)).toMatchObject({ transferId: 'tr-big' });
    expect(await outcomeOf(app, decision)).toMatchObject({ type: 'DecideTransfer', status: 'succeeded' });
    expect((await app.get('/api/transfers/tr-big')).body).toMatchObject({
      status: 'rejected',
      reason: 'rejected_by_approver',
      approver: 'carol',
    });
    const repeat = await app.post('/api/transfers/tr-big/decision', {
      decision: 'reject',
      approver: 'carol',
      note: 'too much',
    });
    expect(repeat.status).toBe(202);
    expect(repeat.body).toEqual(decision.body);
  });
});

describe('GET /api/transfers/{id}/events and /api/accounts/{id}/events', () => {
  it("lists a transfer's events as the event store holds them, in version order", async () => {
    await app.settle();
    const answer = await app.get('/api/transfers/tr-big/events');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const stream = StreamResponseSchema.parse(answer.body);
    expect(stream).toMatchObject({ streamId: 'transfer-tr-big', version: 3 });
    expect(stream.events.map((e) => [e.version, e.type])).toEqual([
      [1, 'TransferRequested'],
      [2, 'TransferApprovalRequested'],
      [3, 'TransferRejected'],
    ]);
    expect(stream.events[0].data).toEqual({
      transferId: 'tr-big',
      fromAccountId: 'acc-alice',
      toAccountId: 'acc-bob',
      amount: 150_000,
      requestedBy: 'alice',
    });
    expect(stream.events[2].data).toMatchObject({
      reason: 'rejected_by_approver',
      approver: 'carol',
      note: 'too much',
    });
    expect(stream.events).toEqual(await app.stores.events.readStream('transfer-tr-big'));
  });

  it("lists an account's events, ending at the version its read model shows", async () => {
    await app.settle();
    const stream = StreamResponseSchema.parse((await app.get('/api/accounts/acc-bob/events')).body);
    expect(stream.streamId).toBe('account-acc-bob');
    expect(stream.events.map((e) => e.version)).toEqual(
      Array.from({ length: stream.version }, (_, i) => i + 1),
    );
    expect(stream.events[0]).toMatchObject({
      type: 'AccountOpened',
      data: { accountId: 'acc-bob', ownerId: 'bob' },
    });
    expect(stream.events).toContainEqual(
      expect.objectContaining({
        type: 'CreditsLoaded',
        data: {
          accountId: 'acc-bob',
          loadId: 'bob-load-1',
          amount: 2_500,
          fee: 1,
          net: 2_499,
          loadedBy: 'ops',
        },
      }),
    );
    expect(stream.events).toContainEqual(
      expect.objectContaining({
        type: 'FundsTransferredIn',
        data: expect.objectContaining({ transferId: 'tr-api-1', amount: 500 }),
      }),
    );
    expect(stream.version).toBe((await app.get('/api/accounts/acc-bob')).body.version);
  });

  it('starts at fromVersion, and answers an empty list with the current version past the end', async () => {
    const tail = StreamResponseSchema.parse(
      (await app.get('/api/transfers/tr-big/events?fromVersion=2')).body,
    );
    expect(tail).toMatchObject({ version: 3 });
    expect(tail.events.map((e) => e.type)).toEqual(['TransferApprovalRequested', 'TransferRejected']);
    expect(
      StreamResponseSchema.parse((await app.get('/api/transfers/tr-big/events?fromVersion=4')).body),
    ).toEqual({ streamId: 'transfer-tr-big', version: 3, events: [] });
    expect((await app.get('/api/accounts/acc-bob/events?fromVersion=999999999999999')).body).toMatchObject({
      events: [],
    });
  });

  it('answers 404 with the reason code when the stream has no events', async () => {
    expectProblem(await app.get('/api/transfers/tr-nobody/events'), 404, 'transfer_not_found');
    expectProblem(await app.get('/api/transfers/tr-nobody/events?fromVersion=2'), 404, 'transfer_not_found');
    // Rejected before anything was decided: the command failed, no stream was started.
    expectProblem(await app.get('/api/transfers/tr-same/events'), 404, 'transfer_not_found');
    expectProblem(await app.get('/api/accounts/acc-nobody/events'), 404, 'account_not_found');
  });

  it('answers 400 for an invalid id or a fromVersion that is not a whole number from 1', async () => {
    expectProblem(await app.get('/api/transfers/UPPER/events'), 400, 'invalid_request');
    expectProblem(await app.get('/api/accounts/x/events'), 400, 'invalid_request');
    for (const fromVersion of ['0', '-1', '1.5', 'abc', '1e3', '01', '', '1234567890123456']) {
      const answer = await app.get(
        `/api/transfers/tr-big/events?fromVersion=${encodeURIComponent(fromVersion)}`,
      );
      expectProblem(answer, 400, 'invalid_request');
      expect(answer.body.errors).toEqual([expect.objectContaining({ path: 'fromVersion' })]);
    }
  });
});

describe('GET routes', () => {
  it('answers 404 with a reason code for unknown accounts, statements, transfers and commands', async () => {
    expectProblem(await app.get('/api/accounts/acc-nobody'), 404, 'account_not_found');
    expectProblem(await app.get('/api/accounts/acc-nobody/statement'), 404, 'account_not_found');
    expectProblem(await app.get('/api/transfers/tr-nobody'), 404, 'transfer_not_found');
    expectProblem(await app.get(`/api/commands/${'0'.repeat(64)}`), 404, 'command_not_found');
  });

  it('answers 400 for ids that break the id rule', async () => {
    expectProblem(await app.get('/api/accounts/x'), 400, 'invalid_request');
    expectProblem(await app.get('/api/transfers/UPPER'), 400, 'invalid_request');
    expectProblem(await app.get('/api/commands/not-a-hash'), 400, 'invalid_request');
  });

  it('lists the approvals inbox by status and refuses an unknown status', async () => {
    const all = ApprovalsResponseSchema.parse((await app.get('/api/approvals?status=all')).body);
    expect(all.items.map((i) => [i.transferId, i.status])).toContainEqual(['tr-big', 'rejected']);
    expect(
      ApprovalsResponseSchema.parse((await app.get('/api/approvals')).body).items.every(
        (i) => i.status === 'pending',
      ),
    ).toBe(true);
    expectProblem(await app.get('/api/approvals?status=bogus'), 400, 'invalid_request');
  });

  it('serves the OpenAPI document generated from the route schemas', async () => {
    const document = await app.get('/api/openapi.json');
    expect(document.status).toBe(200);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/accounts',
        '/api/transfers/{transferId}/decision',
        '/api/approvals',
        '/api/transfers/{transferId}/events',
        '/api/accounts/{accountId}/events',
      ]),
    );
  });

  it('lists dead letters', async () => {
    expect(DeadLettersResponseSchema.parse((await app.get('/api/deadletters')).body).items).toEqual([]);
  });
});

describe('no input produces a 500', () => {
  const json = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value));
  const anyText = fc.oneof(json, fc.string({ maxLength: 200 }), fc.constant(''));
  const segment = fc
    .oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,20}$/), fc.string({ minLength: 1, maxLength: 40 }))
    .map(encodeURIComponent);
  const contentType = fc.constantFrom(
    'application/json',
    'application/problem+json',
    'text/plain',
    'application/json; charset=utf-8',
    '',
  );
  const key = fc.option(
    fc.string({ maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
    { nil: undefined },
  );
  const route = fc.oneof(
    fc.constant('/api/accounts'),
    segment.map((id) => `/api/accounts/${id}/loads`),
    segment.map((id) => `/api/accounts/${id}/close`),
    fc.constant('/api/transfers'),
    segment.map((id) => `/api/transfers/${id}/decision`),
    segment.map((id) => `/api/accounts/${id}`),
    segment.map((id) => `/api/accounts/${id}/statement`),
    segment.map((id) => `/api/transfers/${id}`),
    fc
      .tuple(segment, anyText)
      .map(([id, from]) => `/api/transfers/${id}/events?fromVersion=${encodeURIComponent(from)}`),
    fc
      .tuple(fc.constantFrom('acc-alice', 'acc-bob'), fc.oneof(fc.nat().map(String), anyText))
      .map(([id, from]) => `/api/accounts/${id}/events?fromVersion=${encodeURIComponent(from)}`),
    segment.map((id) => `/api/commands/${id}`),
    anyText.map((q) => `/api/approvals?status=${encodeURIComponent(q)}`),
  );
  // Bodies near the shapes the routes expect reach deeper than random JSON.
  const nearlyValid = fc
    .record(
      {
        accountId: segment,
        ownerId: fc.string(),
        ownerName: fc.string(),
        kind: fc.constantFrom('user', 'merchant', 'x'),
        amount: fc.oneof(fc.integer(), fc.double(), fc.string()),
        loadId: fc.string(),
        fromAccountId: fc.constantFrom('acc-alice', 'acc-bob', 'bad id'),
        toAccountId: fc.constantFrom('acc-alice', 'acc-bob', ''),
        requestedBy: fc.string(),
        decision: fc.constantFrom('approve', 'reject', 'x'),
        approver: fc.string(),
        note: fc.string(),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value));

  it('answers every generated request with a non-500 status, and problem+json for errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        route,
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        fc.oneof(anyText, nearlyValid),
        contentType,
        key,
        async (path, method, body, type, idempotencyKey) => {
          const headers: Record<string, string> = {};
          if (type) headers['content-type'] = type;
          if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
          const response = await app.host.fetch(path, {
            method,
            headers,
            body: method === 'GET' ? undefined : body,
          });
          await response.arrayBuffer();
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
        },
      ),
      { numRuns: 300 },
    );
    await app.settle();
  });
});
