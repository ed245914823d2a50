/**
 * Every simulator scenario, run by the simulator's own code against the whole app (repo root,
 * dist/functions/index.js: `npm run build` first) on a test host over real HTTP, with the virtual
 * clock standing in for the approval deadline.
 */
import path from 'node:path';
import { createTestHost, type TestHost } from '@cardflow/local-host';
import { CardflowApi } from '../../simulator/api';
import {
  runScenario,
  SCENARIOS,
  verifyInvariants,
  waitFor,
  type ScenarioOptions,
} from '../../simulator/scenarios';
import { accountStreamId, envelopeAll } from '../../domain';
import { DEFAULT_DATABASE } from '../../stores';
import { createLocalStores } from '../../stores/local/localStores';
import { LocalDocumentStore } from '@cardflow/local-host';
import { testHostDriver } from './testHostDriver';
import { SimUsers } from '../../simulator/users';

// Whole-host tests: generous under a loaded CI machine (they take well under a second each when idle).
jest.setTimeout(60_000);

const REPO_ROOT = path.resolve(__dirname, '../..');

describe('simulator scenarios against the app', () => {
  let host: TestHost;
  let api: CardflowApi;
  const lines: string[] = [];
  const options = (runId: string, more: Partial<ScenarioOptions> = {}): ScenarioOptions => ({
    runId,
    transfers: 40,
    accounts: 4,
    concurrency: 8,
    timeoutMs: 20_000,
    out: (line) => lines.push(line),
    ...more,
  });

  beforeAll(async () => {
    // Users generated for this host, as the simulator does for a host it starts.
    const users = SimUsers.generate(3, 'e2e');
    host = await createTestHost({
      appRoot: REPO_ROOT,
      settings: { CARDFLOW_STORE: 'local' },
      users: [...users.all],
    });
    api = new CardflowApi(testHostDriver(host), users);
  });
  afterAll(() => host?.stop());

  it.each(Object.keys(SCENARIOS).filter((name) => name !== 'load'))(
    '%s holds its expectations and the invariants',
    async (name) => {
      const result = await runScenario(api, name, options(`e2e-${name}`));
      expect(result.violations).toEqual([]);
      expect(result.summary.at(-1)).toMatch(/invariants over \d+ accounts and \d+ transfers: hold/);
    },
  );

  it('load completes every transfer and reports throughput and latency', async () => {
    const progress: number[] = [];
    const result = await runScenario(
      api,
      'load',
      options('e2e-load', { progress: (done) => progress.push(done) }),
    );
    expect(result.violations).toEqual([]);
    expect(result.load).toMatchObject({ transfers: 40, accounts: 4, completed: 40 });
    expect(result.load?.latencyMs.count).toBe(40);
    expect(progress.at(-1)).toBe(40);
  });

  it('load sends from `concurrency` clients at once, never more (one after the other would cap it at one request per round trip)', async () => {
    let sending = 0;
    let most = 0;
    const counting = Object.create(api) as CardflowApi;
    counting.requestTransfer = async (...args: Parameters<CardflowApi['requestTransfer']>) => {
      most = Math.max(most, ++sending);
      try {
        return await api.requestTransfer(...args);
      } finally {
        sending--;
      }
    };
    const result = await runScenario(
      counting,
      'load',
      options('e2e-load-clients', { transfers: 24, concurrency: 6 }),
    );
    expect(result.violations).toEqual([]);
    expect(result.load?.completed).toBe(24);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(6);
  });

  it('load with reads that wait on the host (Prefer: wait) completes every transfer with about one read each', async () => {
    const waiting = new CardflowApi({ ...testHostDriver(host), readWaitSeconds: 10 }, api.users);
    const reads = { all: 0, waiting: 0 };
    const counting = Object.create(waiting) as CardflowApi;
    counting.transfer = (...args: Parameters<CardflowApi['transfer']>) => {
      reads.all++;
      if (args[1]?.waitSeconds) reads.waiting++;
      return waiting.transfer(...args);
    };
    const result = await runScenario(
      counting,
      'load',
      options('e2e-load-waiting', { transfers: 24, concurrency: 6 }),
    );
    expect(result.violations).toEqual([]);
    expect(result.load?.completed).toBe(24);
    // At most two waiting reads each (a transfer held for approval: a read, the decision, a read).
    expect(reads.waiting).toBeGreaterThanOrEqual(24);
    expect(reads.waiting).toBeLessThanOrEqual(24 * 2);
  });

  it('expired waited for the 24-hour deadline on the virtual clock', () => {
    expect(lines.some((line) => /waiting \d+ s for the approval deadline/.test(line))).toBe(true);
  });

  /** Two accounts through the API: `from` loaded with 1 000 000 (no fee), `to` empty. */
  async function accounts(prefix: string): Promise<{ from: string; to: string }> {
    const from = `${prefix}-from`;
    const to = `${prefix}-to`;
    // Opened as two customers in turn: each owns one (the owner is the caller).
    await api.openAccount({ accountId: from, kind: 'user' });
    await api.openAccount({ accountId: to, kind: 'user' });
    await host.waitForIdle();
    await api.loadCredits(from, { loadId: `${prefix}-load`, amount: 1_000_000 });
    await host.waitForIdle();
    return { from, to };
  }

  async function awaitingApproval(transferId: string) {
    return waitFor(api, `${transferId} awaiting approval`, 10_000, async () =>
      (await api.transfer(transferId))?.status === 'awaiting_approval' ? true : undefined,
    );
  }

  it('completes a transfer approved through the Durable HTTP API, and the transfer view names the approver', async () => {
    const { from, to } = await accounts('e2e-raise');
    await api.requestTransfer({
      transferId: 'e2e-raise-tr',
      fromAccountId: from,
      toAccountId: to,
      amount: 150_000,
    });
    await awaitingApproval('e2e-raise-tr');

    // The source's owner may not decide: ignored, still waiting.
    expect(
      await api.raiseDecision('e2e-raise-tr', { decision: 'approve', approver: api.ownerOf(from).id }),
    ).toBe(202);
    await host.waitForIdle();
    expect((await api.transfer('e2e-raise-tr'))?.status).toBe('awaiting_approval');
    expect((await api.instance('e2e-raise-tr'))?.runtimeStatus).toBe('Running');

    expect(await api.raiseDecision('e2e-raise-tr', { decision: 'approve', approver: 'operator-1' })).toBe(
      202,
    );
    const view = await waitFor(api, 'the approved transfer', 10_000, async () => {
      const t = await api.transfer('e2e-raise-tr');
      return t?.status === 'completed' ? t : undefined;
    });
    expect(view).toMatchObject({ status: 'completed', approver: 'operator-1' });
    expect(
      await verifyInvariants(
        api,
        { accounts: new Set([from, to]), transfers: new Set(['e2e-raise-tr']), netLoaded: 1_000_000 },
        { timeoutMs: 10_000 },
      ),
    ).toEqual([]);
  });

  it('the invariant checks catch money appearing from nowhere and a transfer left unfinished', async () => {
    const { from, to } = await accounts('e2e-broken');
    await api.requestTransfer({
      transferId: 'e2e-broken-tr',
      fromAccountId: from,
      toAccountId: to,
      amount: 150_000,
    });
    await awaitingApproval('e2e-broken-tr');
    // Credits that no load put in, appended behind the API's back.
    const events = createLocalStores(new LocalDocumentStore(host.db, { clock: host.clock }), {
      databaseName: DEFAULT_DATABASE,
      clock: host.clock,
    }).events;
    const streamId = accountStreamId(to);
    const version = await events.streamVersion(streamId);
    const metadata = {
      correlationId: 'forged',
      causationId: 'forged',
      occurredAt: new Date(host.clock.now()).toISOString(),
    };
    await events.append(
      streamId,
      version,
      envelopeAll(
        [{ type: 'CreditsLoaded', data: { accountId: to, loadId: 'forged', amount: 777, fee: 0, net: 777 } }],
        { streamId, expectedVersion: version, metadata, idPrefix: 'forged' },
      ),
    );
    await host.waitForIdle();

    const violations = await verifyInvariants(
      api,
      { accounts: new Set([from, to]), transfers: new Set(['e2e-broken-tr']), netLoaded: 1_000_000 },
      { timeoutMs: 500 },
    );
    expect(violations).toEqual([
      'transfer e2e-broken-tr is not in a final state',
      `${from} still has 150000 reserved after every transfer ended`,
      'money not conserved: the accounts hold 1000777, the loads put in 1000000',
    ]);
  });

  it('reminds approvers at half the timeout: the approvals inbox counts the reminder', async () => {
    const { from, to } = await accounts('e2e-remind');
    await api.requestTransfer({
      transferId: 'e2e-remind-tr',
      fromAccountId: from,
      toAccountId: to,
      amount: 150_000,
    });
    await awaitingApproval('e2e-remind-tr');
    const inboxItem = async () =>
      (
        await api.get<{ items: Array<{ transferId: string; reminders: number }> }>(
          '/api/approvals?status=pending',
        )
      ).items.find((i) => i.transferId === 'e2e-remind-tr');
    expect((await inboxItem())?.reminders).toBe(0);

    await host.advance(12 * 60 * 60 * 1000);
    const reminded = await waitFor(api, 'the reminder in the inbox', 10_000, async () =>
      (await inboxItem())?.reminders === 1 ? true : undefined,
    );
    expect(reminded).toBe(true);
    await api.decide('e2e-remind-tr', { decision: 'reject' });
    await waitFor(api, 'the rejection', 10_000, async () =>
      (await api.transfer('e2e-remind-tr'))?.status === 'rejected' ? true : undefined,
    );
  });
});

// The same app with its code on two worker threads (FUNCTIONS_WORKER_PROCESS_COUNT = 2): its stores
// reach the host's document store through the seam's promises, and the host's thread answers them.
describe('simulator scenarios against the app on two worker threads', () => {
  let host: TestHost;
  let api: CardflowApi;
  const options = (runId: string): ScenarioOptions => ({
    runId,
    transfers: 40,
    accounts: 4,
    concurrency: 8,
    timeoutMs: 20_000,
    out: () => undefined,
  });

  beforeAll(async () => {
    const users = SimUsers.generate(3, 'e2e-workers');
    host = await createTestHost({
      appRoot: REPO_ROOT,
      settings: { CARDFLOW_STORE: 'local', FUNCTIONS_WORKER_PROCESS_COUNT: '2' },
      users: [...users.all],
    });
    api = new CardflowApi(testHostDriver(host), users);
  });
  afterAll(() => host?.stop());

  it('runs the app on two threads', () => {
    expect(host.workerThreadIds()).toHaveLength(2);
  });

  it.each(Object.keys(SCENARIOS))('%s holds its expectations and the invariants', async (name) => {
    const result = await runScenario(api, name, options(`e2e-workers-${name}`));
    expect(result.violations).toEqual([]);
    expect(result.summary.at(-1)).toMatch(/invariants over \d+ accounts and \d+ transfers: hold/);
  });
});
