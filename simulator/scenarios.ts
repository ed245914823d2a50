/**
 * The simulator's scenarios: each drives a running host through its public HTTP API only, as
 * distinct users (simulator/users.ts: each account's owner opens it and requests its transfers, the
 * approver decides, the operator loads and reads), checks what it expects, and then the invariants
 * (money conserved, every transfer final, no negative balance). Importable, so the end-to-end tests
 * and the benchmark run exactly this code.
 */
import { splitLoad } from '../domain/fees';
import { CardflowApi, FINAL_TRANSFER_STATUSES, type TransferStatus, type TransferView } from './api';
import { summarize, type LatencySummary } from './stats';
import { notEnoughCustomers, type Cast, type SimUser } from './users';

export interface ScenarioOptions {
  /** Prefix of every id the run creates, so runs against one host never collide. */
  readonly runId: string;
  /** Who the run acts as; the host must authenticate them (its users file, or its `users` option). */
  readonly cast: Cast;
  /** `load`: how many transfers, between how many accounts. */
  readonly transfers: number;
  readonly accounts: number;
  /** How long to wait for the host to reach an expected state (real ms). */
  readonly timeoutMs: number;
  /** Concurrent requests in `load`. */
  readonly concurrency: number;
  readonly out: (line: string) => void;
  readonly progress?: (done: number, total: number) => void;
}

export interface LoadFigures {
  transfers: number;
  accounts: number;
  completed: number;
  approvalsGiven: number;
  elapsedMs: number;
  transfersPerSecond: number;
  latencyMs: LatencySummary;
}

export interface ScenarioResult {
  readonly scenario: string;
  /** Broken expectations and invariants; empty when the run is good. */
  readonly violations: string[];
  readonly summary: string[];
  readonly load?: LoadFigures;
}

/** What a run created, for the invariant checks. */
class Ledger {
  readonly accounts = new Set<string>();
  readonly transfers = new Set<string>();
  netLoaded = 0;
  readonly violations: string[] = [];
  readonly summary: string[] = [];

  expect(condition: boolean, message: string): void {
    if (!condition) this.violations.push(message);
  }
}

/** One run: the host as each of the cast, what the run created, and who owns which account. */
class Run {
  /** Loads and reads: operators read everything. */
  readonly ops: CardflowApi;
  /** Decides: never a requester nor a source account's owner in any scenario. */
  readonly approver: CardflowApi;
  readonly ledger = new Ledger();
  private readonly owners = new Map<string, SimUser>();

  constructor(
    readonly api: CardflowApi,
    readonly options: ScenarioOptions,
  ) {
    this.ops = api.as(options.cast.operator);
    this.approver = api.as(options.cast.approver);
  }

  get cast(): Cast {
    return this.options.cast;
  }

  /** The n-th customer: account n of a scenario is theirs alone (runScenario checked there are enough). */
  customer(n: number): SimUser {
    const user = this.cast.customers[n];
    if (!user) throw new Error(`no customer ${n} in ${this.cast.source}`);
    return user;
  }

  owned(accountId: string, owner: SimUser): void {
    this.owners.set(accountId, owner);
  }

  /** The host as the account's owner, who alone may request transfers from it. */
  asOwnerOf(accountId: string): CardflowApi {
    const owner = this.owners.get(accountId);
    if (!owner) throw new Error(`the run did not open ${accountId}, so it knows no owner for it`);
    return this.api.as(owner);
  }

  ownerOf(accountId: string): SimUser | undefined {
    return this.owners.get(accountId);
  }
}

type Scenario = (run: Run) => Promise<LoadFigures | void>;

/** Runs `fn` until it returns a value; throws after `timeoutMs` naming what it waited for. */
export async function waitFor<T>(
  api: CardflowApi,
  what: string,
  timeoutMs: number,
  fn: () => Promise<T | undefined>,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await api.driver.settle();
  }
}

/** Opened by `owner` (the caller, so no owner in the body), loaded by the operator. */
async function openFunded(run: Run, name: string, owner: SimUser, load: number): Promise<string> {
  const { ledger, options } = run;
  const accountId = `${options.runId}-${name}`;
  const asOwner = run.api.as(owner);
  await asOwner.openAccount({ accountId, kind: 'user' });
  ledger.accounts.add(accountId);
  run.owned(accountId, owner);
  // The owner reads their own account: the read also proves the host made them its owner.
  const view = await waitFor(asOwner, `account ${accountId}`, options.timeoutMs, () =>
    asOwner.account(accountId),
  );
  ledger.expect(
    view.ownerId === owner.id,
    `${accountId}: owned by ${view.ownerId}, not its opener ${owner.id}`,
  );
  if (load > 0) {
    const { commandId } = await run.ops.loadCredits(accountId, { loadId: `${accountId}-load`, amount: load });
    const outcome = await waitFor(run.ops, `load on ${accountId}`, options.timeoutMs, async () => {
      const command = await run.ops.command(commandId);
      return command.status === 'pending' ? undefined : command;
    });
    ledger.expect(
      outcome.status === 'succeeded',
      `loading ${accountId}: ${outcome.status} ${outcome.reason ?? ''}`,
    );
    ledger.netLoaded += splitLoad(load).net;
  }
  return accountId;
}

/** Requested by the source account's owner, who the host records as the requester. */
async function transfer(run: Run, name: string, from: string, to: string, amount: number): Promise<string> {
  const transferId = `${run.options.runId}-${name}`;
  await run.asOwnerOf(from).requestTransfer({ transferId, fromAccountId: from, toAccountId: to, amount });
  run.ledger.transfers.add(transferId);
  return transferId;
}

async function transferIn(
  api: CardflowApi,
  options: Pick<ScenarioOptions, 'timeoutMs'>,
  transferId: string,
  statuses: readonly TransferStatus[],
): Promise<TransferView> {
  return waitFor(
    api,
    `transfer ${transferId} to be ${statuses.join(' or ')}`,
    options.timeoutMs,
    async () => {
      const view = await api.transfer(transferId);
      return view && statuses.includes(view.status) ? view : undefined;
    },
  );
}

async function expectFinal(
  run: Run,
  transferId: string,
  status: TransferStatus,
  reason?: string,
): Promise<TransferView> {
  const { ledger } = run;
  const view = await transferIn(run.ops, run.options, transferId, FINAL_TRANSFER_STATUSES);
  ledger.expect(
    view.status === status,
    `${transferId}: expected ${status}, got ${view.status} (${view.reason ?? 'no reason'})`,
  );
  if (reason !== undefined)
    ledger.expect(view.reason === reason, `${transferId}: expected reason ${reason}, got ${view.reason}`);
  const owner = run.ownerOf(view.fromAccountId);
  ledger.expect(
    owner === undefined || view.requestedBy === owner.id,
    `${transferId}: requested by ${view.requestedBy}, not the caller ${owner?.id}`,
  );
  ledger.summary.push(
    `${transferId}: ${view.status}${view.reason ? ` (${view.reason})` : ''}, requested by ${view.requestedBy}${view.approver ? `, decided by ${view.approver}` : ''}`,
  );
  return view;
}

/** A decided transfer names the approver who called, whatever the body said. */
function expectDecidedBy(run: Run, view: TransferView, user: SimUser): void {
  run.ledger.expect(
    view.approver === user.id,
    `${view.transferId}: decided by ${view.approver}, not the calling approver ${user.id}`,
  );
}

async function balances(
  api: CardflowApi,
  accountId: string,
): Promise<{ available: number; reserved: number }> {
  const view = await api.account(accountId);
  return { available: view?.available ?? 0, reserved: view?.reserved ?? 0 };
}

// ---- the scenarios

const smallTransfer: Scenario = async (run) => {
  const a = await openFunded(run, 'a', run.customer(0), 100_000);
  const b = await openFunded(run, 'b', run.customer(1), 0);
  const id = await transfer(run, 'small', a, b, 2_500);
  await expectFinal(run, id, 'completed');
};

/** A transfer over the approval threshold from `requester`'s account to `payee`'s, waiting for a decision. */
async function significant(
  run: Run,
  name: string,
  requester: SimUser = run.customer(0),
  payee: SimUser = run.customer(1),
): Promise<{ id: string; from: string; view: TransferView }> {
  const { ledger, options } = run;
  const from = await openFunded(run, 'a', requester, 1_000_000);
  const to = await openFunded(run, 'b', payee, 0);
  const id = await transfer(run, name, from, to, 150_000);
  const view = await transferIn(run.ops, options, id, ['awaiting_approval', ...FINAL_TRANSFER_STATUSES]);
  ledger.expect(view.status === 'awaiting_approval', `${id}: expected awaiting_approval, got ${view.status}`);
  const inbox = await waitFor(run.approver, `${id} in the approvals inbox`, options.timeoutMs, async () => {
    const { items } = await run.approver.approvals('pending');
    return items.find((item) => item.transferId === id);
  });
  ledger.expect(
    inbox.requestedBy === requester.id,
    `${id}: the inbox says requested by ${inbox.requestedBy}, not ${requester.id}`,
  );
  const held = await balances(run.ops, from);
  ledger.expect(
    held.reserved === 150_000,
    `${from}: expected 150000 reserved while awaiting approval, got ${held.reserved}`,
  );
  return { id, from, view };
}

const approved: Scenario = async (run) => {
  const { id } = await significant(run, 'approved');
  await run.approver.decide(id, { decision: 'approve', note: 'simulated approval' });
  expectDecidedBy(run, await expectFinal(run, id, 'completed'), run.cast.approver);
};

const rejected: Scenario = async (run) => {
  const { ledger, options } = run;
  const { id, from } = await significant(run, 'rejected');
  await run.approver.decide(id, { decision: 'reject' });
  expectDecidedBy(run, await expectFinal(run, id, 'rejected', 'rejected_by_approver'), run.cast.approver);
  const after = await waitFor(run.ops, `${from} released`, options.timeoutMs, async () => {
    const b = await balances(run.ops, from);
    return b.reserved === 0 ? b : undefined;
  });
  ledger.expect(
    after.available === 1_000_000,
    `${from}: expected 1000000 available after the rejection, got ${after.available}`,
  );
};

/**
 * Four eyes, with real identities: the requester — who is the source account's owner, as only an
 * owner may request — tries to approve through the API (403) and through the Durable HTTP API
 * (ignored by the transfer machine); a distinct approver's approval completes it. With a user who
 * is customer and approver (the checker) the refusal is the four-eyes guard's `approver_is_requester`;
 * without one, a customer is refused for the role (`forbidden`).
 */
const fourEyes: Scenario = async (run) => {
  const { cast, ledger } = run;
  const requester = cast.checker ?? run.customer(0);
  // Two customers at least (runScenario checked), so someone other than the requester is paid.
  const payee = cast.customers.find((u) => u.id !== requester.id) ?? run.customer(1);
  const { id } = await significant(run, 'four-eyes', requester, payee);
  const asRequester = run.api.as(requester);
  const decision = `/api/transfers/${id}/decision`;

  const own = await asRequester.send('POST', decision, { decision: 'approve' });
  const expected = cast.checker ? 'approver_is_requester' : 'forbidden';
  ledger.expect(
    own.status === 403 && own.code === expected,
    `${id}: the requester ${requester.id} approving got ${own.status} ${own.code ?? ''}, expected 403 ${expected}`,
  );
  if (cast.checker) {
    // Naming the real approver in the body does not lend the requester their eyes.
    const lent = await asRequester.send('POST', decision, {
      decision: 'approve',
      approver: cast.approver.id,
    });
    ledger.expect(
      lent.status === 400 && lent.code === 'identity_mismatch',
      `${id}: the requester naming ${cast.approver.id} as approver got ${lent.status} ${lent.code ?? ''}, expected 400 identity_mismatch`,
    );
  }
  // Past the API, straight to the process: the machine ignores the source owner's approval.
  const raised = await run.api.raiseDecision(id, { decision: 'approve', approver: requester.id });
  ledger.expect(raised === 202, `${id}: raising the owner's decision answered ${raised}, not 202`);
  await run.api.driver.settle();
  const still = await run.ops.transfer(id);
  ledger.expect(
    still?.status === 'awaiting_approval',
    `${id}: after the requester's own approvals it is ${still?.status}, not awaiting_approval`,
  );
  // The raised approval reached the process first, so a completion by the approver shows it was ignored.
  await run.approver.decide(id, { decision: 'approve', note: 'four eyes: a second person' });
  expectDecidedBy(run, await expectFinal(run, id, 'completed'), cast.approver);
  ledger.summary.push(
    `four eyes: ${requester.id} (requester and source owner) refused ${own.status} ${own.code ?? ''}, ignored on the process; ${cast.approver.id} approved`,
  );
};

/** The longest approval timeout `expired` waits for in real time. */
const MAX_REAL_WAIT_MS = 5 * 60_000;

const expired: Scenario = async (run) => {
  const { api, ledger, options } = run;
  const { id, from, view } = await significant(run, 'expired');
  const deadline = Date.parse(view.deadline ?? '');
  ledger.expect(Number.isFinite(deadline), `${id}: the transfer view shows no deadline`);
  const wait = deadline - api.driver.now();
  if (!api.driver.virtualTime && wait > MAX_REAL_WAIT_MS) {
    // Leave the host as it was: the transfer will not be waited for, so reject it.
    await run.approver.decide(id, {
      decision: 'reject',
      note: 'simulator: APPROVAL_TIMEOUT too long to wait for',
    });
    throw new Error(
      `the approval deadline is ${Math.round(wait / 1000)} s away: start the host with a short APPROVAL_TIMEOUT (e.g. APPROVAL_TIMEOUT=PT10S npm start)`,
    );
  }
  options.out(
    `waiting ${Math.round(wait / 1000)} s for the approval deadline ${view.deadline} (the host's APPROVAL_TIMEOUT)`,
  );
  await api.driver.waitUntil(deadline + 1);
  await expectFinal(run, id, 'expired', 'approval_expired');
  const after = await waitFor(run.ops, `${from} released`, options.timeoutMs, async () => {
    const b = await balances(run.ops, from);
    return b.reserved === 0 ? b : undefined;
  });
  ledger.expect(
    after.available === 1_000_000,
    `${from}: expected 1000000 available after the expiry, got ${after.available}`,
  );
};

const insufficientFunds: Scenario = async (run) => {
  const a = await openFunded(run, 'a', run.customer(0), 1_000);
  const b = await openFunded(run, 'b', run.customer(1), 0);
  const id = await transfer(run, 'too-much', a, b, 5_000);
  await expectFinal(run, id, 'rejected', 'insufficient_funds');
  const after = await balances(run.ops, a);
  run.ledger.expect(
    after.available === splitLoad(1_000).net && after.reserved === 0,
    `${a}: balance changed by a rejected transfer: ${JSON.stringify(after)}`,
  );
};

const concurrentOverdraft: Scenario = async (run) => {
  // 200 000 is above 500.00, so no fee: the balance covers exactly 5 transfers of 40 000.
  const a = await openFunded(run, 'a', run.customer(0), 200_000);
  const b = await openFunded(run, 'b', run.customer(1), 0);
  const ids = await Promise.all(
    Array.from({ length: 20 }, (_, n) => transfer(run, `rush-${n}`, a, b, 40_000)),
  );
  const views = await Promise.all(
    ids.map((id) => transferIn(run.ops, run.options, id, FINAL_TRANSFER_STATUSES)),
  );
  const completed = views.filter((v) => v.status === 'completed').length;
  const refused = views.filter((v) => v.status === 'rejected' && v.reason === 'insufficient_funds').length;
  run.ledger.summary.push(
    `20 parallel transfers of 400.00 from a balance of 2000.00: ${completed} completed, ${refused} rejected (insufficient_funds)`,
  );
  run.ledger.expect(completed === 5, `expected exactly 5 completed transfers, got ${completed}`);
  run.ledger.expect(refused === 15, `expected 15 rejected for insufficient funds, got ${refused}`);
};

const duplicateRequests: Scenario = async (run) => {
  const { ledger, options } = run;
  const owner = run.customer(0);
  const a = await openFunded(run, 'a', owner, 100_000);
  const b = await openFunded(run, 'b', run.customer(1), 0);
  const asOwner = run.asOwnerOf(a);
  // The same request twice by the owner: the same command (the requester is the caller), one transfer.
  const body = { transferId: `${options.runId}-dup`, fromAccountId: a, toAccountId: b, amount: 1_000 };
  const [first, second] = await Promise.all([asOwner.requestTransfer(body), asOwner.requestTransfer(body)]);
  ledger.transfers.add(body.transferId);
  ledger.expect(
    first.commandId === second.commandId,
    `identical requests got different commands: ${first.commandId} / ${second.commandId}`,
  );
  // Naming the requester explicitly is the same request; naming someone else is refused.
  const named = await asOwner.requestTransfer({ ...body, requestedBy: owner.id });
  ledger.expect(named.commandId === first.commandId, 'naming oneself as requester made another command');
  const other = run.customer(1);
  const impersonated = await asOwner.send('POST', '/api/transfers', { ...body, requestedBy: other.id });
  ledger.expect(
    impersonated.status === 400 && impersonated.code === 'identity_mismatch',
    `the request naming ${other.id} as requester got ${impersonated.status} ${impersonated.code ?? ''}, expected 400 identity_mismatch`,
  );
  // The same request by someone who does not own the source account: refused, not repeated.
  const stranger = await run.api.as(other).send('POST', '/api/transfers', body);
  ledger.expect(
    stranger.status === 403 && stranger.code === 'not_account_owner',
    `the request by ${other.id}, who does not own ${a}, got ${stranger.status} ${stranger.code ?? ''}, expected 403 not_account_owner`,
  );
  // The same Idempotency-Key without a transfer id: the server derives the same transfer id.
  const key = `${options.runId}-key`;
  const keyed = { fromAccountId: a, toAccountId: b, amount: 2_000 };
  const k1 = await asOwner.requestTransfer(keyed, key);
  const k2 = await asOwner.requestTransfer(keyed, key);
  ledger.expect(
    k1.transferId !== undefined && k1.transferId === k2.transferId,
    `one Idempotency-Key gave transfer ids ${k1.transferId} / ${k2.transferId}`,
  );
  ledger.expect(k1.commandId === k2.commandId, 'one Idempotency-Key gave two commands');
  if (k1.transferId) ledger.transfers.add(k1.transferId);
  // The same load twice (the operator's, as the first): loaded once.
  const load = await run.ops.loadCredits(a, { loadId: `${a}-load`, amount: 100_000 });
  await waitFor(run.ops, 'the repeated load', options.timeoutMs, async () =>
    (await run.ops.command(load.commandId)).status === 'pending' ? undefined : true,
  );
  await expectFinal(run, body.transferId, 'completed');
  if (k1.transferId) await expectFinal(run, k1.transferId, 'completed');
  const after = await waitFor(run.ops, `${a} after the transfers`, options.timeoutMs, async () => {
    const x = await balances(run.ops, a);
    return x.available === splitLoad(100_000).net - 3_000 ? x : undefined;
  }).catch(() => undefined);
  ledger.expect(
    after !== undefined,
    `${a}: expected exactly one load and two transfers to show (available ${splitLoad(100_000).net - 3_000})`,
  );
  ledger.summary.push(
    `repeated requests by ${owner.id}: one command each, one transfer each, one load; impersonation and a stranger refused`,
  );
};

/** Many small transfers between a few accounts, measuring throughput and request→completed latency. */
const load: Scenario = async (run) => {
  const { ledger, options } = run;
  const accounts: string[] = [];
  for (let n = 0; n < options.accounts; n++)
    accounts.push(await openFunded(run, `acct-${n}`, run.customer(n), 10_000_000));
  const requested = new Map<string, number>();
  const finished = new Map<string, { at: number; status: TransferStatus }>();
  const approvedIds = new Set<string>();
  let reported = -1;
  const started = Date.now();

  // A deterministic spread: transfer n goes from account n to account n+1+(n mod (M-1)), 1.00 to 50.00.
  const plan = Array.from({ length: options.transfers }, (_, n) => {
    const from = accounts[n % accounts.length];
    const to = accounts[(n + 1 + (n % Math.max(1, accounts.length - 1))) % accounts.length];
    return {
      name: `t-${n}`,
      from,
      to: to === from ? accounts[(n + 1) % accounts.length] : to,
      amount: 100 + ((n * 7919) % 4_901),
    };
  });
  let next = 0;
  // Closed loop: at most `concurrency` transfers in flight, so latency measures processing, not a queue of the whole run.
  const submit = async () => {
    while (next < plan.length) {
      if (requested.size - finished.size >= options.concurrency) {
        await run.api.driver.settle();
        continue;
      }
      const t = plan[next++];
      const id = await transfer(run, t.name, t.from, t.to, t.amount);
      requested.set(id, Date.now());
    }
  };
  const poll = async () => {
    while (finished.size < plan.length) {
      const open = [...requested.keys()].filter((id) => !finished.has(id));
      for (let i = 0; i < open.length; i += options.concurrency) {
        await Promise.all(
          open.slice(i, i + options.concurrency).map(async (id) => {
            const view = await run.ops.transfer(id);
            if (!view) return;
            if (FINAL_TRANSFER_STATUSES.includes(view.status))
              finished.set(id, { at: Date.now(), status: view.status });
            // The velocity rule may hold some back: an approver clears them, as in production.
            if (view.status === 'awaiting_approval' && !approvedIds.has(id)) {
              approvedIds.add(id);
              await run.approver.decide(id, { decision: 'approve' });
            }
          }),
        );
      }
      if (finished.size !== reported) options.progress?.((reported = finished.size), plan.length);
      if (Date.now() - started > options.timeoutMs + plan.length * 50)
        throw new Error(`load: ${plan.length - finished.size} transfers not final in time`);
      if (finished.size < plan.length) await run.api.driver.settle();
    }
  };
  await Promise.all([submit(), poll()]);
  const elapsedMs = Date.now() - started;
  const latencies = [...finished.entries()].map(([id, f]) => f.at - (requested.get(id) ?? f.at));
  const completed = [...finished.values()].filter((f) => f.status === 'completed').length;
  ledger.expect(completed === plan.length, `load: ${plan.length - completed} transfers did not complete`);
  const approvalsGiven = approvedIds.size;
  const figures: LoadFigures = {
    transfers: plan.length,
    accounts: accounts.length,
    completed,
    approvalsGiven,
    elapsedMs,
    transfersPerSecond: plan.length / (elapsedMs / 1000),
    latencyMs: summarize(latencies),
  };
  ledger.summary.push(
    `${plan.length} transfers between ${accounts.length} accounts (each its own customer's) in ${(elapsedMs / 1000).toFixed(2)} s: ` +
      `${figures.transfersPerSecond.toFixed(1)} transfers/s; request→completed p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms, max ${figures.latencyMs.max} ms` +
      (approvalsGiven > 0
        ? `; ${approvalsGiven} held by the velocity rule and approved by ${run.cast.approver.id}`
        : ''),
  );
  return figures;
};

export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'small-transfer': smallTransfer,
  approved,
  rejected,
  'four-eyes': fourEyes,
  expired,
  'insufficient-funds': insufficientFunds,
  'concurrent-overdraft': concurrentOverdraft,
  'duplicate-requests': duplicateRequests,
  load,
};

export type ScenarioName = keyof typeof SCENARIOS;

/** How many customers a scenario acts as: one per account it opens (four-eyes: the checker, if any, and a payee). */
export function customersNeeded(name: string, options: Pick<ScenarioOptions, 'accounts'>): number {
  return name === 'load' ? options.accounts : 2;
}

/**
 * Whether the host authenticates the users the run acts as, with the roles it acts in: a users
 * file that is not the host's shows here, named, instead of as 401s halfway through.
 */
export async function checkCast(api: CardflowApi, cast: Cast, customers: number): Promise<string[]> {
  const parts: Array<[SimUser, string]> = [
    [cast.operator, 'operator'],
    [cast.approver, 'approver'],
    ...cast.customers.slice(0, customers).map((u): [SimUser, string] => [u, 'customer']),
    ...(cast.checker ? [[cast.checker, 'approver'] as [SimUser, string]] : []),
  ];
  const problems = new Set<string>();
  for (let i = 0; i < parts.length; i += 16) {
    await Promise.all(
      parts.slice(i, i + 16).map(async ([user, role]) => {
        const me = await api.as(user).me();
        if (!me)
          problems.add(
            `the host does not know ${user.id} (token from ${cast.source}): start the host with the same users file (CARDFLOW_AUTH_FILE=${cast.source}), or pass the host's with --users`,
          );
        else if (!me.roles.includes(role))
          problems.add(
            `the host gives ${user.id} the roles ${me.roles.join(', ') || 'none'}; the simulator acts as them as ${role}: the host reads another users file than ${cast.source}`,
          );
      }),
    );
  }
  return [...problems];
}

/**
 * Runs one scenario, then checks the invariants over everything it created. First checks there
 * are enough customers and that the host authenticates the cast; if not, says what to do instead.
 */
export async function runScenario(
  api: CardflowApi,
  name: string,
  options: ScenarioOptions,
): Promise<ScenarioResult> {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario '${name}' (one of ${Object.keys(SCENARIOS).join(', ')})`);
  const run = new Run(api, options);
  const { ledger } = run;
  const needed = customersNeeded(name, options);
  const short = notEnoughCustomers(options.cast, needed, name);
  if (short) return { scenario: name, violations: [short], summary: [] };
  const unknown = await checkCast(api, options.cast, needed);
  if (unknown.length > 0) return { scenario: name, violations: unknown, summary: [] };
  let figures: LoadFigures | void = undefined;
  try {
    figures = await scenario(run);
  } catch (error) {
    ledger.violations.push(error instanceof Error ? error.message : String(error));
  }
  await checkInvariants(run.ops, ledger, options);
  return {
    scenario: name,
    violations: ledger.violations,
    summary: ledger.summary,
    ...(figures ? { load: figures } : {}),
  };
}

/** What a run put into the host: the accounts and transfers it created and the net credits it loaded. */
export interface RunFootprint {
  readonly accounts: ReadonlySet<string>;
  readonly transfers: ReadonlySet<string>;
  readonly netLoaded: number;
}

/**
 * The invariants over a run's footprint, as the read models show them to `api` (an operator, who
 * reads every account; given until `timeoutMs` to catch up): every transfer final; no negative balance; nothing left reserved; the accounts hold
 * exactly the net credits loaded (transfers create and destroy no money). Returns what is broken.
 */
export async function verifyInvariants(
  api: CardflowApi,
  footprint: RunFootprint,
  options: Pick<ScenarioOptions, 'timeoutMs'>,
): Promise<string[]> {
  const ledger = new Ledger();
  for (const id of footprint.accounts) ledger.accounts.add(id);
  for (const id of footprint.transfers) ledger.transfers.add(id);
  ledger.netLoaded = footprint.netLoaded;
  await checkInvariants(api, ledger, options);
  return ledger.violations;
}

async function checkInvariants(
  api: CardflowApi,
  ledger: Ledger,
  options: Pick<ScenarioOptions, 'timeoutMs'>,
): Promise<void> {
  for (const id of ledger.transfers) {
    const view = await transferIn(api, options, id, FINAL_TRANSFER_STATUSES).catch(() => undefined);
    if (!view) ledger.violations.push(`transfer ${id} is not in a final state`);
  }
  const total = async () => {
    let sum = 0;
    const problems: string[] = [];
    for (const accountId of ledger.accounts) {
      const b = await balances(api, accountId);
      if (b.available < 0 || b.reserved < 0)
        problems.push(`${accountId} has a negative balance: ${JSON.stringify(b)}`);
      if (b.reserved !== 0)
        problems.push(`${accountId} still has ${b.reserved} reserved after every transfer ended`);
      sum += b.available + b.reserved;
    }
    if (sum !== ledger.netLoaded)
      problems.push(`money not conserved: the accounts hold ${sum}, the loads put in ${ledger.netLoaded}`);
    return problems;
  };
  // The read models follow the events: give them until the timeout to agree.
  let problems = await total();
  const started = Date.now();
  while (problems.length > 0 && Date.now() - started < options.timeoutMs) {
    await api.driver.settle();
    problems = await total();
  }
  ledger.violations.push(...problems);
  ledger.summary.push(
    `invariants over ${ledger.accounts.size} accounts and ${ledger.transfers.size} transfers: ${problems.length === 0 ? 'hold' : 'BROKEN'}`,
  );
}
