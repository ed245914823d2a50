/**
 * Two approvers decide on one transfer at once, one through the API (DecideTransfer → command
 * handler → ApprovalDecision on the instance) and one straight through the Durable HTTP API. The
 * process takes whichever decision reaches it first and ignores the other; the transfer stream,
 * the read model and the process must all name the same approver and the same outcome.
 *
 * Why they cannot disagree: the orchestrator is the only writer of TransferApproved /
 * TransferRejected (activity recordApprovalDecision, called with the decision the process took);
 * the command handler only validates and raises the event, it never appends a decision.
 */
import { TRANSFER_PROCESS } from '../../orchestrations/contracts';
import { outcomeOf, startApp, type App } from './harness';

jest.setTimeout(60_000);

const DURABLE_API = '/runtime/webhooks/durabletask';

let app: App;
beforeAll(async () => {
  app = await startApp();
  for (const [accountId, ownerId] of [
    ['acc-race-a', 'alice'],
    ['acc-race-b', 'bob'],
  ]) {
    const opened = await app.post('/api/accounts', { accountId, ownerId, ownerName: ownerId, kind: 'user' });
    expect((await outcomeOf(app, opened)).status).toBe('succeeded');
  }
  const load = await app.post('/api/accounts/acc-race-a/loads', { loadId: 'load-race', amount: 2_000_000 });
  expect((await outcomeOf(app, load)).status).toBe('succeeded');
});
afterAll(() => app?.stop());

async function awaitingTransfer(transferId: string): Promise<void> {
  const requested = await app.post('/api/transfers', {
    transferId,
    fromAccountId: 'acc-race-a',
    toAccountId: 'acc-race-b',
    amount: 150_000,
    requestedBy: 'alice',
  });
  expect((await outcomeOf(app, requested)).status).toBe('succeeded');
  expect((await app.get(`/api/transfers/${transferId}`)).body.status).toBe('awaiting_approval');
}

function raiseDirectly(transferId: string, decision: object): Promise<Response> {
  return app.host.fetch(`${DURABLE_API}/instances/${transferId}/raiseEvent/ApprovalDecision`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(decision),
  });
}

async function processOf(transferId: string) {
  const res = await app.host.fetch(`${DURABLE_API}/instances/${transferId}`);
  return (await res.json()) as {
    name: string;
    runtimeStatus: string;
    output: { outcome: string };
    customStatus: { approver: string | null };
  };
}

/** The process, the transfer stream and the read model all name the same approver and outcome; money is where it should be. */
async function expectOneDecision(id: string): Promise<{ winner: string; outcome: string }> {
  const process = await processOf(id);
  expect(process).toMatchObject({ name: TRANSFER_PROCESS, runtimeStatus: 'Completed' });
  const winner = process.customStatus.approver;
  expect(['carol', 'dave']).toContain(winner);
  const outcome = process.output.outcome;

  const stream = (await app.stores.events.readStream(`transfer-${id}`)).map((e) => ({
    type: e.type,
    approver: (e.data as { approver?: string }).approver,
  }));
  const decisions = stream.filter((e) => e.type === 'TransferApproved' || e.type === 'TransferRejected');
  expect(decisions).toEqual([
    { type: outcome === 'completed' ? 'TransferApproved' : 'TransferRejected', approver: winner },
  ]);
  expect(stream.at(-1)?.type).toBe(outcome === 'completed' ? 'TransferCompleted' : 'TransferRejected');
  expect((await app.get(`/api/transfers/${id}`)).body).toMatchObject({ status: outcome, approver: winner });
  return { winner: winner as string, outcome };
}

let completed = 0;

const cases = [
  { api: 'approve', direct: 'reject' },
  { api: 'reject', direct: 'approve' },
  { api: 'approve', direct: 'approve' },
  { api: 'reject', direct: 'reject' },
] as const;

it('records on the transfer stream the decision the process took when both are sent at once', async () => {
  const ids = cases.map((_, i) => `tr-race-${i}`);
  for (const id of ids) await awaitingTransfer(id);

  const sent = await Promise.all(
    cases.map(({ api, direct }, i) =>
      Promise.all([
        app.post(`/api/transfers/${ids[i]}/decision`, { decision: api, approver: 'carol' }),
        raiseDirectly(ids[i], { decision: direct, approver: 'dave' }),
      ]),
    ),
  );
  for (const [throughApi, direct] of sent) {
    expect(direct.status).toBe(202);
    // The API refuses at once what its read model already shows decided: the direct decision won.
    if (throughApi.status === 409) expect(throughApi.body.code).toBe('not_awaiting_approval');
    else expect(throughApi.status).toBe(202);
  }
  await app.settle();

  for (const id of ids) {
    const { outcome } = await expectOneDecision(id);
    if (outcome === 'completed') completed++;
  }
});

it('keeps the API decision that reached the process first, and ignores the direct one after it', async () => {
  for (const [i, { api, direct }] of cases.entries()) {
    const id = `tr-race-api-${i}`;
    await awaitingTransfer(id);
    const accepted = await app.post(`/api/transfers/${id}/decision`, { decision: api, approver: 'carol' });
    expect(accepted.status).toBe(202);
    // The command handler has raised carol's decision once the command succeeded; dave's comes after it.
    const commandId = (accepted.body as { commandId: string }).commandId;
    while ((await app.stores.commands.get(commandId))?.status !== 'succeeded')
      await new Promise((resolve) => setImmediate(resolve));
    // 202 while the process still runs; 410 once it has finished with carol's decision.
    expect([202, 410]).toContain((await raiseDirectly(id, { decision: direct, approver: 'dave' })).status);
    await app.settle();

    const { winner, outcome } = await expectOneDecision(id);
    expect({ winner, outcome }).toEqual({
      winner: 'carol',
      outcome: api === 'approve' ? 'completed' : 'rejected',
    });
    if (outcome === 'completed') completed++;
  }
});

it('conserves money whichever approver won', async () => {
  // The source kept exactly what was not transferred; nothing stays reserved.
  expect(completed).toBeGreaterThan(0);
  expect((await app.get('/api/accounts/acc-race-a')).body).toMatchObject({
    available: 2_000_000 /* no fee on a load over 500.00 */ - completed * 150_000,
    reserved: 0,
  });
  expect((await app.get('/api/accounts/acc-race-b')).body).toMatchObject({
    available: completed * 150_000,
    reserved: 0,
  });
});
