/**
 * Every simulator scenario, run by the simulator's own code against the whole app (repo root,
 * dist/functions/index.js: `npm run build` first) on a test host over real HTTP, with the virtual
 * clock standing in for the approval deadline, as generated users the host authenticates (and the
 * example users of auth.local.example.json, as `npm start` has them).
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
import { castFrom, generateUsers, readUsersFile, type Cast } from '../../simulator/users';

// Whole-host tests: generous under a loaded CI machine (they take well under a second each when idle).
jest.setTimeout(60_000);

const REPO_ROOT = path.resolve(__dirname, '../..');

describe('simulator scenarios against the app', () => {
  let host: TestHost;
  let api: CardflowApi;
  /** Generated as the simulator does for a host it starts: 4 customers, the checker, an approver, an operator. */
  const users = generateUsers('e2e', 4);
  const cast: Cast = castFrom(users, 'the generated users');
  const ops = () => api.as(cast.operator);
  const lines: string[] = [];
  const options = (runId: string, more: Partial<ScenarioOptions> = {}): ScenarioOptions => ({
    runId,
    cast,
    transfers: 40,
    accounts: 4,
    concurrency: 8,
    timeoutMs: 20_000,
    out: (line) => lines.push(line),
    ...more,
  });

  beforeAll(async () => {
    host = await createTestHost({ appRoot: REPO_ROOT, settings: { CARDFLOW_STORE: 'local' }, users });
    api = new CardflowApi(testHostDriver(host));
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

  it('four-eyes: the checker who requested is refused by the four-eyes guard, the approver completes it', async () => {
    const result = await runScenario(api, 'four-eyes', options('e2e-eyes2'));
    expect(result.violations).toEqual([]);
    expect(result.summary).toContain(
      'four eyes: e2e-checker (requester and source owner) refused 403 approver_is_requester, ignored on the process; e2e-approver approved',
    );
    expect(result.summary).toContainEqual(
      expect.stringMatching(
        /^e2e-eyes2-four-eyes: completed, requested by e2e-checker, decided by e2e-approver$/,
      ),
    );
  });

  it('runs as the example users of npm start (auth.local.example.json): alice and bob own, ada decides, otto loads', async () => {
    const example = castFrom(
      readUsersFile(path.join(REPO_ROOT, 'auth.local.example.json')),
      'auth.local.example.json',
    );
    for (const user of [...example.customers, example.approver, example.operator]) host.addUser(user);
    const approvedRun = await runScenario(api, 'approved', options('e2e-example', { cast: example }));
    expect(approvedRun.violations).toEqual([]);
    expect(approvedRun.summary).toContain(
      'e2e-example-approved: completed, requested by alice, decided by ada',
    );
    // No example user is customer and approver: the requester is refused for the role.
    const eyes = await runScenario(api, 'four-eyes', options('e2e-example-eyes', { cast: example }));
    expect(eyes.violations).toEqual([]);
    expect(eyes.summary).toContainEqual(expect.stringMatching(/^four eyes: alice .* refused 403 forbidden/));
  });

  it('says what to do when the users file has fewer customers than load has accounts', async () => {
    const two = castFrom(
      readUsersFile(path.join(REPO_ROOT, 'auth.local.example.json')),
      'auth.local.example.json',
    );
    const result = await runScenario(api, 'load', options('e2e-short', { cast: two, accounts: 5 }));
    expect(result.violations).toHaveLength(1);
    expect(result.violations[0]).toContain(
      "'load' needs 5 customers (one per account) but auth.local.example.json has 2 (alice, bob).",
    );
    expect(result.violations[0]).toContain('Run it with --accounts 2');
    expect(result.violations[0]).toContain('npm run simulate -- --write-users sim-users.json --customers 5');
    expect((await ops().account('e2e-short-acct-0'))?.accountId).toBeUndefined();
  });

  it('names the users the host does not know instead of failing with 401s', async () => {
    const strangers = castFrom(generateUsers('e2e-stranger', 2), 'strangers.json');
    const result = await runScenario(api, 'small-transfer', options('e2e-stranger', { cast: strangers }));
    expect(result.violations).toContainEqual(
      expect.stringMatching(/^the host does not know e2e-stranger-operator \(token from strangers.json\)/),
    );
    expect((await ops().account('e2e-stranger-a'))?.accountId).toBeUndefined();
  });

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

  it('expired waited for the 24-hour deadline on the virtual clock', () => {
    expect(lines.some((line) => /waiting \d+ s for the approval deadline/.test(line))).toBe(true);
  });

  /** Two accounts through the API, each its own customer's: `from` loaded with 1 000 000 (no fee) by the operator, `to` empty. */
  async function accounts(prefix: string): Promise<{ from: string; to: string }> {
    const from = `${prefix}-from`;
    const to = `${prefix}-to`;
    await api.as(cast.customers[0]).openAccount({ accountId: from, kind: 'user' });
    await api.as(cast.customers[1]).openAccount({ accountId: to, kind: 'user' });
    await host.waitForIdle();
    await ops().loadCredits(from, { loadId: `${prefix}-load`, amount: 1_000_000 });
    await host.waitForIdle();
    return { from, to };
  }

  /** Requested by `from`'s owner, who alone may. */
  function requestSignificant(transferId: string, from: string, to: string) {
    return api
      .as(cast.customers[0])
      .requestTransfer({ transferId, fromAccountId: from, toAccountId: to, amount: 150_000 });
  }

  async function awaitingApproval(transferId: string) {
    return waitFor(api, `${transferId} awaiting approval`, 10_000, async () =>
      (await ops().transfer(transferId))?.status === 'awaiting_approval' ? true : undefined,
    );
  }

  it('completes a transfer approved through the Durable HTTP API, and the transfer view names the approver', async () => {
    const { from, to } = await accounts('e2e-raise');
    await requestSignificant('e2e-raise-tr', from, to);
    await awaitingApproval('e2e-raise-tr');

    // The source's owner may not decide: ignored, still waiting.
    const owner = cast.customers[0].id;
    expect(await api.raiseDecision('e2e-raise-tr', { decision: 'approve', approver: owner })).toBe(202);
    await host.waitForIdle();
    expect((await ops().transfer('e2e-raise-tr'))?.status).toBe('awaiting_approval');
    expect((await api.instance('e2e-raise-tr'))?.runtimeStatus).toBe('Running');

    expect(await api.raiseDecision('e2e-raise-tr', { decision: 'approve', approver: cast.approver.id })).toBe(
      202,
    );
    const view = await waitFor(api, 'the approved transfer', 10_000, async () => {
      const t = await ops().transfer('e2e-raise-tr');
      return t?.status === 'completed' ? t : undefined;
    });
    expect(view).toMatchObject({ status: 'completed', approver: cast.approver.id, requestedBy: owner });
    expect(
      await verifyInvariants(
        ops(),
        { accounts: new Set([from, to]), transfers: new Set(['e2e-raise-tr']), netLoaded: 1_000_000 },
        { timeoutMs: 10_000 },
      ),
    ).toEqual([]);
  });

  it('the invariant checks catch money appearing from nowhere and a transfer left unfinished', async () => {
    const { from, to } = await accounts('e2e-broken');
    await requestSignificant('e2e-broken-tr', from, to);
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
      ops(),
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
    await requestSignificant('e2e-remind-tr', from, to);
    await awaitingApproval('e2e-remind-tr');
    const inboxItem = async () =>
      (await api.as(cast.approver).approvals('pending')).items.find((i) => i.transferId === 'e2e-remind-tr');
    expect((await inboxItem())?.reminders).toBe(0);

    await host.advance(12 * 60 * 60 * 1000);
    const reminded = await waitFor(api, 'the reminder in the inbox', 10_000, async () =>
      (await inboxItem())?.reminders === 1 ? true : undefined,
    );
    expect(reminded).toBe(true);
    await api.as(cast.approver).decide('e2e-remind-tr', { decision: 'reject' });
    await waitFor(api, 'the rejection', 10_000, async () =>
      (await ops().transfer('e2e-remind-tr'))?.status === 'rejected' ? true : undefined,
    );
  });
});
