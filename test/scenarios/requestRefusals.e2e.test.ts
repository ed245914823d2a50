/**
 * The command intake over real HTTP on the local test host, as real users (issue 13):
 *
 * - what the request alone reveals is refused at once (same account 400, unknown account 404, a
 *   decision on a transfer that no longer waits 409), with the codes in `GET /api/reasons` and the
 *   OpenAPI document, and nothing stored;
 * - a command run again after its effect is in the stream records `succeeded` (a DecideTransfer
 *   replayed through the commands container after the transfer completed by that very decision);
 * - a refusal is not a duplicate: a repeat of a rejected command is evaluated again, as its next
 *   attempt on the same command id, while repeats of a succeeded one stay deduplicated;
 * - a load needs a loadId or an Idempotency-Key, and a key is bound to its first body, across a
 *   restart of the host.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { commandId } from '../../domain/commandId';
import { CommandAcceptedSchema, CommandStatusSchema, ProblemSchema } from '../../functions/http/schemas';
import type { CommandRecord, StoreSet } from '../../stores';
import { outcomeOf, pathOf, PROBLEM_JSON, startApp, type App } from '../pipeline/harness';

jest.setTimeout(120_000);

const HOUR = 3_600_000;

let app: App;
const otto = () => app.callers.as('otto', 'operator');
const ada = () => app.callers.as('ada', 'approver');

async function open(accountId: string, ownerId: string): Promise<void> {
  const opened = await app.post('/api/accounts', { accountId, ownerId, ownerName: ownerId, kind: 'user' });
  expect((await outcomeOf(app, opened)).status).toBe('succeeded');
}

function expectProblem(
  answer: { status: number; body: unknown; headers: Headers },
  status: number,
  code: string,
) {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(PROBLEM_JSON);
  expect(ProblemSchema.parse(answer.body)).toMatchObject({ status, code });
}

async function balance(accountId: string): Promise<{ available: number; reserved: number }> {
  const { available, reserved } = (await app.get(`/api/accounts/${accountId}`)).body;
  return { available, reserved };
}

async function status(accepted: { body: { statusUrl: string } }) {
  await app.settle();
  return CommandStatusSchema.parse((await app.get(pathOf(accepted.body.statusUrl))).body);
}

beforeAll(async () => {
  app = await startApp({ settings: { APPROVAL_THRESHOLD: '100000', VELOCITY_THRESHOLD: '250000' } });
  await open('acc-rr-alice', 'alice');
  await open('acc-rr-bob', 'bob');
  const loaded = await app.post(
    '/api/accounts/acc-rr-alice/loads',
    { loadId: 'rr-load', amount: 1_000_000 },
    otto(),
  );
  expect((await outcomeOf(app, loaded)).status).toBe('succeeded');
});
afterAll(() => app?.stop());

describe('refused at once, from what the request alone reveals', () => {
  const transfer = (transferId: string, fromAccountId: string, toAccountId: string) =>
    app.post(
      '/api/transfers',
      { transferId, fromAccountId, toAccountId, amount: 500 },
      app.callers.as('alice', 'customer'),
    );

  it('answers a transfer to its own source 400 same_account and stores nothing', async () => {
    const before = await balance('acc-rr-alice');
    expectProblem(await transfer('tr-rr-same', 'acc-rr-alice', 'acc-rr-alice'), 400, 'same_account');
    await app.settle();
    expect(await app.stores.events.streamVersion('transfer-tr-rr-same')).toBe(0);
    expect(await balance('acc-rr-alice')).toEqual(before);
  });

  it('answers a transfer to or from an account that does not exist 404 account_not_found', async () => {
    expectProblem(await transfer('tr-rr-ghost-to', 'acc-rr-alice', 'acc-rr-ghost'), 404, 'account_not_found');
    expectProblem(await transfer('tr-rr-ghost-from', 'acc-rr-ghost', 'acc-rr-bob'), 404, 'account_not_found');
    await app.settle();
    expect(await app.stores.events.streamVersion('transfer-tr-rr-ghost-to')).toBe(0);
    expect(await app.stores.events.streamVersion('transfer-tr-rr-ghost-from')).toBe(0);
  });

  it('knows an account just opened, before its read model shows it (the stream is the truth)', async () => {
    // Opened, handled, and its view removed as if the projection lagged behind.
    await open('acc-rr-new', 'nina');
    expect(await app.stores.views.delete('account-acc-rr-new', 'account')).toBe(true);
    const accepted = await transfer('tr-rr-new', 'acc-rr-alice', 'acc-rr-new');
    expect(accepted.status).toBe(202);
    expect((await outcomeOf(app, accepted)).status).toBe('succeeded');
  });

  it('answers a decision on a transfer that no longer awaits approval 409 not_awaiting_approval', async () => {
    const requested = await transfer('tr-rr-small', 'acc-rr-alice', 'acc-rr-bob');
    expect((await outcomeOf(app, requested)).status).toBe('succeeded');
    expect((await app.get('/api/transfers/tr-rr-small')).body.status).toBe('completed');
    const late = await app.post('/api/transfers/tr-rr-small/decision', { decision: 'approve' }, ada());
    expectProblem(late, 409, 'not_awaiting_approval');
    const id = commandId('DecideTransfer', {
      transferId: 'tr-rr-small',
      decision: 'approve',
      approver: 'ada',
    });
    expect(await app.stores.commands.get(id)).toBeUndefined();
  });

  it('lists every code in GET /api/reasons and every refusal in the OpenAPI document', async () => {
    const { reasons } = (await app.get('/api/reasons')).body;
    for (const code of [
      'same_account',
      'account_not_found',
      'not_awaiting_approval',
      'idempotency_required',
      'idempotency_key_reused',
    ])
      expect(reasons[code]).toEqual(expect.any(String));
    const { paths } = (await app.get('/api/openapi.json')).body;
    const transfers = paths['/api/transfers'].post.responses;
    expect(transfers[400].description).toMatch(/same_account/);
    expect(transfers[404].description).toMatch(/account_not_found/);
    expect(transfers[422].description).toMatch(/idempotency_key_reused/);
    const decision = paths['/api/transfers/{transferId}/decision'].post.responses;
    expect(decision[409].description).toMatch(/not awaiting approval/);
    const loads = paths['/api/accounts/{accountId}/loads'].post;
    expect(loads.responses[400].description).toMatch(/idempotency_required/);
    expect(loads.responses[422].description).toMatch(/idempotency_key_reused/);
    expect(loads.parameters.find((p: { name: string }) => p.name === 'Idempotency-Key').description).toMatch(
      /loadId/,
    );
  });
});

describe('a command run again after its effect is in the stream', () => {
  it('records succeeded for a DecideTransfer replayed after the transfer completed by that decision', async () => {
    const requested = await app.post(
      '/api/transfers',
      { transferId: 'tr-rr-big', fromAccountId: 'acc-rr-alice', toAccountId: 'acc-rr-bob', amount: 150_000 },
      app.callers.as('alice', 'customer'),
    );
    expect((await outcomeOf(app, requested)).status).toBe('succeeded');
    expect((await app.get('/api/transfers/tr-rr-big')).body.status).toBe('awaiting_approval');
    const decided = await app.post(
      '/api/transfers/tr-rr-big/decision',
      { decision: 'approve', note: 'ok' },
      ada(),
    );
    expect(decided.status).toBe(202);
    expect(await status(decided)).toMatchObject({ status: 'succeeded', attempt: 1 });
    await app.host.advance(HOUR);
    expect((await app.get('/api/transfers/tr-rr-big')).body).toMatchObject({
      status: 'completed',
      approver: 'ada',
    });

    // The host died just after raising the decision: the outcome was never recorded, so the
    // command document is still pending and the change feed hands it to the handler again.
    const { commands } = (app.stores as StoreSet).containers;
    const id = decided.body.commandId as string;
    const stored = await commands.read<CommandRecord & { _etag: string }>(id, id);
    const { _etag, completedAt: _completed, ...record } = stored as CommandRecord & { _etag: string };
    await commands.replace({ ...record, status: 'pending' }, _etag);
    await app.settle();

    const replayed = await status(decided);
    expect(replayed).toMatchObject({ commandId: id, status: 'succeeded', attempt: 1 });
    expect(replayed.reason).toBeUndefined();
    expect(replayed.completedAt).toEqual(expect.any(String));
    // Nothing happened twice.
    const stream = await app.stores.events.readStream('transfer-tr-rr-big');
    expect(stream.filter((e) => e.type === 'TransferApproved')).toHaveLength(1);
    expect(await balance('acc-rr-bob')).toMatchObject({ available: 150_500, reserved: 0 });
  });
});

describe('a refusal is not a duplicate', () => {
  it('evaluates a repeated load that was refused again, and deduplicates it once it succeeded', async () => {
    const load = () =>
      app.post('/api/accounts/acc-rr-late/loads', { loadId: 'rr-late-1', amount: 20_000 }, otto());
    const early = await load();
    expect(early.status).toBe(202);
    expect(await status(early)).toMatchObject({
      status: 'rejected',
      reason: 'account_not_found',
      attempt: 1,
    });

    await open('acc-rr-late', 'lena');
    const again = await load();
    expect(again.body).toEqual(early.body);
    const second = await status(again);
    expect(second).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      previousAttempts: [{ status: 'rejected', reason: 'account_not_found' }],
    });
    expect(second.reason).toBeUndefined();
    expect(await balance('acc-rr-late')).toEqual({ available: 19_996, reserved: 0 });

    // A duplicate of a command that succeeded is answered and changes nothing.
    const third = await load();
    expect(third.body).toEqual(early.body);
    expect(await status(third)).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect(await balance('acc-rr-late')).toEqual({ available: 19_996, reserved: 0 });
    expect(await app.stores.events.streamVersion('account-acc-rr-late')).toBe(2);
  });

  it('evaluates a repeated decision that was refused against the current state', async () => {
    // The decision reached the handler before the transfer existed (sent behind the API's back,
    // as if the request-time check raced the transfer's own request): rejected transfer_not_found.
    const data = { transferId: 'tr-rr-wait', decision: 'approve' as const, approver: 'ada' };
    const id = commandId('DecideTransfer', data);
    expect(
      await app.stores.commands.submit({
        id,
        type: 'DecideTransfer',
        data,
        metadata: { submittedBy: 'ada' },
      }),
    ).toBe('created');
    await app.settle();
    expect(await app.stores.commands.get(id)).toMatchObject({
      status: 'rejected',
      reason: 'transfer_not_found',
    });

    const requested = await app.post(
      '/api/transfers',
      { transferId: 'tr-rr-wait', fromAccountId: 'acc-rr-alice', toAccountId: 'acc-rr-bob', amount: 120_000 },
      app.callers.as('alice', 'customer'),
    );
    expect((await outcomeOf(app, requested)).status).toBe('succeeded');
    expect((await app.get('/api/transfers/tr-rr-wait')).body.status).toBe('awaiting_approval');

    const repeated = await app.post('/api/transfers/tr-rr-wait/decision', { decision: 'approve' }, ada());
    expect(repeated.status).toBe(202);
    expect(CommandAcceptedSchema.parse(repeated.body).commandId).toBe(id);
    expect(await status(repeated)).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      previousAttempts: [{ status: 'rejected', reason: 'transfer_not_found' }],
    });
    await app.host.advance(HOUR);
    expect((await app.get('/api/transfers/tr-rr-wait')).body).toMatchObject({
      status: 'completed',
      approver: 'ada',
    });

    // Sent once more, now that it succeeded: the same answer, not another attempt.
    const duplicate = await app.post('/api/transfers/tr-rr-wait/decision', { decision: 'approve' }, ada());
    expect(duplicate.status).toBe(202);
    expect(duplicate.body).toEqual(repeated.body);
    expect(await status(duplicate)).toMatchObject({ status: 'succeeded', attempt: 2 });
  });
});

describe('idempotency that cannot double-charge', () => {
  it('refuses a load with neither a loadId nor an Idempotency-Key with 400 idempotency_required', async () => {
    const before = await app.stores.events.streamVersion('account-acc-rr-bob');
    expectProblem(
      await app.post('/api/accounts/acc-rr-bob/loads', { amount: 100 }, otto()),
      400,
      'idempotency_required',
    );
    await app.settle();
    expect(await app.stores.events.streamVersion('account-acc-rr-bob')).toBe(before);
  });

  it('answers the same key with the same body alike, and the same key with another body 422', async () => {
    const before = await balance('acc-rr-bob');
    const send = (amount: number) =>
      app.post('/api/accounts/acc-rr-bob/loads', { amount }, { ...otto(), 'idempotency-key': 'rr-topup-1' });
    const first = await send(5_000);
    expect(first.status).toBe(202);
    const again = await send(5_000);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expectProblem(await send(6_000), 422, 'idempotency_key_reused');
    expect((await outcomeOf(app, first)).status).toBe('succeeded');
    expect(await balance('acc-rr-bob')).toEqual({ available: before.available + 4_999, reserved: 0 });
    // The key with a loadId of the body's own is another body too.
    expectProblem(
      await app.post(
        '/api/accounts/acc-rr-bob/loads',
        { loadId: 'rr-other', amount: 5_000 },
        { ...otto(), 'idempotency-key': 'rr-topup-1' },
      ),
      422,
      'idempotency_key_reused',
    );
  });

  it('leaves a key free when the request using it was refused', async () => {
    const key = { 'idempotency-key': 'rr-transfer-1' };
    const alice = app.callers.as('alice', 'customer');
    const refused = await app.post(
      '/api/transfers',
      { fromAccountId: 'acc-rr-alice', toAccountId: 'acc-rr-nobody', amount: 100 },
      { ...alice, ...key },
    );
    expectProblem(refused, 404, 'account_not_found');
    const fixed = await app.post(
      '/api/transfers',
      { fromAccountId: 'acc-rr-alice', toAccountId: 'acc-rr-bob', amount: 100 },
      { ...alice, ...key },
    );
    expect(fixed.status).toBe(202);
    expect((await outcomeOf(app, fixed)).status).toBe('succeeded');
  });
});

describe('an Idempotency-Key across a restart', () => {
  it('is still bound to its first body on a host started again on the same database', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cardflow-idem-'));
    const dataFile = path.join(dir, 'cardflow.db');
    const load = (host: App, amount: number) =>
      host.post(
        '/api/accounts/acc-rr-keep/loads',
        { amount },
        { ...host.callers.as('otto', 'operator'), 'idempotency-key': 'keep-1' },
      );
    try {
      const first = await startApp({ dataFile });
      let accepted;
      try {
        const opened = await first.post('/api/accounts', {
          accountId: 'acc-rr-keep',
          ownerId: 'kim',
          ownerName: 'Kim',
          kind: 'user',
        });
        expect((await outcomeOf(first, opened)).status).toBe('succeeded');
        accepted = await load(first, 7_000);
        expect((await outcomeOf(first, accepted)).status).toBe('succeeded');
      } finally {
        await first.stop();
      }
      const second = await startApp({ dataFile });
      try {
        expectProblem(await load(second, 8_000), 422, 'idempotency_key_reused');
        const same = await load(second, 7_000);
        expect(same.status).toBe(202);
        expect(same.body.commandId).toBe(accepted.body.commandId);
        await second.settle();
        expect((await second.get('/api/accounts/acc-rr-keep')).body).toMatchObject({ available: 6_999 });
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
