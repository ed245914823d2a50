/**
 * The simulator's scenarios: each drives a running host through its public HTTP API only, checks
 * what it expects, and then the invariants (money conserved, every transfer final, no negative
 * balance). Importable, so the end-to-end tests and the benchmark run exactly this code.
 */
import { splitLoad } from '../domain/fees';
import {
  ApiError,
  CardflowApi,
  FINAL_TRANSFER_STATUSES,
  type TransferStatus,
  type TransferView,
} from './api';
import { summarize, type LatencySummary } from './stats';

export interface ScenarioOptions {
  /** Prefix of every id the run creates, so runs against one host never collide. */
  readonly runId: string;
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

type Scenario = (api: CardflowApi, ledger: Ledger, options: ScenarioOptions) => Promise<LoadFigures | void>;

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

async function openFunded(
  api: CardflowApi,
  ledger: Ledger,
  options: ScenarioOptions,
  name: string,
  load: number,
): Promise<string> {
  const accountId = `${options.runId}-${name}`;
  // The owner is the customer the client opens it as (the caller), not a body field.
  await api.openAccount({ accountId, kind: 'user' });
  ledger.accounts.add(accountId);
  await waitFor(api, `account ${accountId}`, options.timeoutMs, () => api.account(accountId));
  if (load > 0) {
    const { commandId } = await api.loadCredits(accountId, { loadId: `${accountId}-load`, amount: load });
    const outcome = await waitFor(api, `load on ${accountId}`, options.timeoutMs, async () => {
      const command = await api.command(commandId);
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

async function transfer(
  api: CardflowApi,
  ledger: Ledger,
  options: ScenarioOptions,
  name: string,
  from: string,
  to: string,
  amount: number,
): Promise<string> {
  const transferId = `${options.runId}-${name}`;
  await api.requestTransfer({
    transferId,
    fromAccountId: from,
    toAccountId: to,
    amount,
  });
  ledger.transfers.add(transferId);
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
  api: CardflowApi,
  ledger: Ledger,
  options: ScenarioOptions,
  transferId: string,
  status: TransferStatus,
  reason?: string,
): Promise<TransferView> {
  const view = await transferIn(api, options, transferId, FINAL_TRANSFER_STATUSES);
  ledger.expect(
    view.status === status,
    `${transferId}: expected ${status}, got ${view.status} (${view.reason ?? 'no reason'})`,
  );
  if (reason !== undefined)
    ledger.expect(view.reason === reason, `${transferId}: expected reason ${reason}, got ${view.reason}`);
  ledger.summary.push(
    `${transferId}: ${view.status}${view.reason ? ` (${view.reason})` : ''}${view.approver ? ` by ${view.approver}` : ''}`,
  );
  return view;
}

async function balances(
  api: CardflowApi,
  accountId: string,
): Promise<{ available: number; reserved: number }> {
  const view = await api.account(accountId);
  return { available: view?.available ?? 0, reserved: view?.reserved ?? 0 };
}

// ---- the scenarios

const smallTransfer: Scenario = async (api, ledger, options) => {
  const a = await openFunded(api, ledger, options, 'a', 100_000);
  const b = await openFunded(api, ledger, options, 'b', 0);
  const id = await transfer(api, ledger, options, 'small', a, b, 2_500);
  await expectFinal(api, ledger, options, id, 'completed');
};

/** A transfer at the approval threshold, decided through the API (or left to expire). */
async function significant(
  api: CardflowApi,
  ledger: Ledger,
  options: ScenarioOptions,
  name: string,
): Promise<{ id: string; from: string; view: TransferView }> {
  const from = await openFunded(api, ledger, options, 'a', 1_000_000);
  const to = await openFunded(api, ledger, options, 'b', 0);
  const id = await transfer(api, ledger, options, name, from, to, 150_000);
  const view = await transferIn(api, options, id, ['awaiting_approval', ...FINAL_TRANSFER_STATUSES]);
  ledger.expect(view.status === 'awaiting_approval', `${id}: expected awaiting_approval, got ${view.status}`);
  const inbox = await waitFor(api, `${id} in the approvals inbox`, options.timeoutMs, async () => {
    const { items } = await api.approvals('pending');
    return items.find((item) => item.transferId === id);
  });
  ledger.expect(inbox !== undefined, `${id} is not in the approvals inbox`);
  const held = await balances(api, from);
  ledger.expect(
    held.reserved === 150_000,
    `${from}: expected 150000 reserved while awaiting approval, got ${held.reserved}`,
  );
  return { id, from, view };
}

const approved: Scenario = async (api, ledger, options) => {
  const { id, from } = await significant(api, ledger, options, 'approved');
  // Four eyes: the requester (the source account's owner) may not approve their own transfer.
  const own = await api.decideAs(api.ownerOf(from), id, { decision: 'approve' });
  ledger.expect(own.status === 403, `${id}: the requester's own approval answered ${own.status}, not 403`);
  const still = await api.transfer(id);
  ledger.expect(still?.status === 'awaiting_approval', `${id}: after the requester's try, ${still?.status}`);
  await api.decide(id, { decision: 'approve', note: 'simulated approval' });
  const done = await expectFinal(api, ledger, options, id, 'completed');
  ledger.expect(
    done?.approver === api.users.approver.id,
    `${id}: approved by ${done?.approver}, not the approver ${api.users.approver.id}`,
  );
};

const rejected: Scenario = async (api, ledger, options) => {
  const { id, from } = await significant(api, ledger, options, 'rejected');
  await api.decide(id, { decision: 'reject' });
  await expectFinal(api, ledger, options, id, 'rejected', 'rejected_by_approver');
  const after = await waitFor(api, `${from} released`, options.timeoutMs, async () => {
    const b = await balances(api, from);
    return b.reserved === 0 ? b : undefined;
  });
  ledger.expect(
    after.available === 1_000_000,
    `${from}: expected 1000000 available after the rejection, got ${after.available}`,
  );
};

/** The longest approval timeout `expired` waits for in real time. */
const MAX_REAL_WAIT_MS = 5 * 60_000;

const expired: Scenario = async (api, ledger, options) => {
  const { id, from, view } = await significant(api, ledger, options, 'expired');
  const deadline = Date.parse(view.deadline ?? '');
  ledger.expect(Number.isFinite(deadline), `${id}: the transfer view shows no deadline`);
  const wait = deadline - api.driver.now();
  if (!api.driver.virtualTime && wait > MAX_REAL_WAIT_MS) {
    // Leave the host as it was: the transfer will not be waited for, so reject it.
    await api.decide(id, {
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
  await expectFinal(api, ledger, options, id, 'expired', 'approval_expired');
  const after = await waitFor(api, `${from} released`, options.timeoutMs, async () => {
    const b = await balances(api, from);
    return b.reserved === 0 ? b : undefined;
  });
  ledger.expect(
    after.available === 1_000_000,
    `${from}: expected 1000000 available after the expiry, got ${after.available}`,
  );
};

const insufficientFunds: Scenario = async (api, ledger, options) => {
  const a = await openFunded(api, ledger, options, 'a', 1_000);
  const b = await openFunded(api, ledger, options, 'b', 0);
  const id = await transfer(api, ledger, options, 'too-much', a, b, 5_000);
  await expectFinal(api, ledger, options, id, 'rejected', 'insufficient_funds');
  const after = await balances(api, a);
  ledger.expect(
    after.available === splitLoad(1_000).net && after.reserved === 0,
    `${a}: balance changed by a rejected transfer: ${JSON.stringify(after)}`,
  );
};

const concurrentOverdraft: Scenario = async (api, ledger, options) => {
  // 200 000 is above 500.00, so no fee: the balance covers exactly 5 transfers of 40 000.
  const a = await openFunded(api, ledger, options, 'a', 200_000);
  const b = await openFunded(api, ledger, options, 'b', 0);
  const ids = await Promise.all(
    Array.from({ length: 20 }, (_, n) => transfer(api, ledger, options, `rush-${n}`, a, b, 40_000)),
  );
  const views = await Promise.all(ids.map((id) => transferIn(api, options, id, FINAL_TRANSFER_STATUSES)));
  const completed = views.filter((v) => v.status === 'completed').length;
  const refused = views.filter((v) => v.status === 'rejected' && v.reason === 'insufficient_funds').length;
  ledger.summary.push(
    `20 parallel transfers of 400.00 from a balance of 2000.00: ${completed} completed, ${refused} rejected (insufficient_funds)`,
  );
  ledger.expect(completed === 5, `expected exactly 5 completed transfers, got ${completed}`);
  ledger.expect(refused === 15, `expected 15 rejected for insufficient funds, got ${refused}`);
};

const duplicateRequests: Scenario = async (api, ledger, options) => {
  const a = await openFunded(api, ledger, options, 'a', 100_000);
  const b = await openFunded(api, ledger, options, 'b', 0);
  // The same request twice: the same command, one transfer.
  const body = {
    transferId: `${options.runId}-dup`,
    fromAccountId: a,
    toAccountId: b,
    amount: 1_000,
  };
  const [first, second] = await Promise.all([api.requestTransfer(body), api.requestTransfer(body)]);
  ledger.transfers.add(body.transferId);
  ledger.expect(
    first.commandId === second.commandId,
    `identical requests got different commands: ${first.commandId} / ${second.commandId}`,
  );
  // The same Idempotency-Key without a transfer id: the server derives the same transfer id.
  const key = `${options.runId}-key`;
  const keyed = {
    fromAccountId: a,
    toAccountId: b,
    amount: 2_000,
  };
  const k1 = await api.requestTransfer(keyed, key);
  const k2 = await api.requestTransfer(keyed, key);
  ledger.expect(
    k1.transferId !== undefined && k1.transferId === k2.transferId,
    `one Idempotency-Key gave transfer ids ${k1.transferId} / ${k2.transferId}`,
  );
  ledger.expect(k1.commandId === k2.commandId, 'one Idempotency-Key gave two commands');
  if (k1.transferId) ledger.transfers.add(k1.transferId);
  // The same load twice: loaded once.
  const load = await api.loadCredits(a, { loadId: `${a}-load`, amount: 100_000 });
  await waitFor(api, 'the repeated load', options.timeoutMs, async () =>
    (await api.command(load.commandId)).status === 'pending' ? undefined : true,
  );
  await expectFinal(api, ledger, options, body.transferId, 'completed');
  if (k1.transferId) await expectFinal(api, ledger, options, k1.transferId, 'completed');
  const after = await waitFor(api, `${a} after the transfers`, options.timeoutMs, async () => {
    const x = await balances(api, a);
    return x.available === splitLoad(100_000).net - 3_000 ? x : undefined;
  }).catch(() => undefined);
  ledger.expect(
    after !== undefined,
    `${a}: expected exactly one load and two transfers to show (available ${splitLoad(100_000).net - 3_000})`,
  );
  ledger.summary.push('repeated requests: one command each, one transfer each, one load');
};

/**
 * Sends a command again while the pipeline refuses it as behind (429 `backlog_full`: nothing of it
 * was kept), after the refusal's Retry-After (at least 100 ms; 1 s when it names none), as a client
 * should; until `stopped()` says the run is over, which ends the wait with an error.
 */
export async function admitted<T>(
  api: CardflowApi,
  send: () => Promise<T>,
  stopped: () => boolean = () => false,
): Promise<T> {
  for (;;) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 429)) throw error;
      const until = api.driver.now() + Math.max(100, (error.retryAfterSeconds ?? 1) * 1000);
      while (api.driver.now() < until) {
        if (stopped()) throw new Error('stopped while waiting to send a refused command again');
        await api.driver.waitUntil(Math.min(until, api.driver.now() + 100));
      }
    }
  }
}

/** Many small transfers between a few accounts, measuring throughput and request→completed latency. */
const load: Scenario = async (api, ledger, options) => {
  const accounts: string[] = [];
  for (let n = 0; n < options.accounts; n++)
    accounts.push(await openFunded(api, ledger, options, `acct-${n}`, 10_000_000));
  const requested = new Map<string, number>();
  const finished = new Map<string, { at: number; status: TransferStatus }>();
  const approvedIds = new Set<string>();
  let reported = -1;
  const started = Date.now();
  // Where the host can hold a read until the transfer settles (Prefer: wait), each client follows
  // its own transfer with such reads; otherwise one poller reads every open transfer each round.
  const waitSeconds = api.driver.readWaitSeconds;

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
  // Closed loop: `concurrency` clients, each sending its next transfer once one of the transfers in
  // flight is final, so at most `concurrency` are in flight (a request counts from before it is sent)
  // and latency measures processing, not a queue of the whole run. One client sending after the
  // other would cap the load at one request per round trip, whatever the concurrency.
  // In flight: sent (`next` counts them from before they are sent) and not yet final.
  // The first failure of any client or of the poller stops them all before the scenario returns.
  let failure: { error: unknown } | undefined;
  const submit = async () => {
    while (next < plan.length && !failure) {
      if (next - finished.size >= options.concurrency) {
        await api.driver.settle();
        continue;
      }
      const t = plan[next++];
      const sentAt = Date.now();
      const id = await admitted(
        api,
        () => transfer(api, ledger, options, t.name, t.from, t.to, t.amount),
        () => failure !== undefined,
      );
      requested.set(id, sentAt);
      if (waitSeconds) await follow(id);
    }
  };
  const inTime = () => {
    if (Date.now() - started > options.timeoutMs + plan.length * 50)
      throw new Error(`load: ${plan.length - finished.size} transfers not final in time`);
  };
  /** Takes in what a read of the transfer showed; whether the transfer is final. */
  const observe = async (id: string, view: TransferView | undefined): Promise<boolean> => {
    if (!view) return false;
    if (FINAL_TRANSFER_STATUSES.includes(view.status)) {
      if (!finished.has(id)) finished.set(id, { at: Date.now(), status: view.status });
      return true;
    }
    // The velocity rule may hold some back: an approver clears them, as in production.
    if (view.status === 'awaiting_approval' && !approvedIds.has(id)) {
      approvedIds.add(id);
      await api.decide(id, { decision: 'approve' });
    }
    return false;
  };
  const follow = async (id: string) => {
    while (!failure && !(await observe(id, await api.transfer(id, { waitSeconds })))) {
      inTime();
      // A pause before the next read: a decision not yet taken in, or a host that does not wait,
      // answers at once, and the client would read in a busy loop.
      await api.driver.settle();
    }
    if (finished.size !== reported) options.progress?.((reported = finished.size), plan.length);
  };
  const poll = async () => {
    while (finished.size < plan.length && !failure) {
      const open = [...requested.keys()].filter((id) => !finished.has(id));
      for (let i = 0; i < open.length; i += options.concurrency) {
        await Promise.all(
          open.slice(i, i + options.concurrency).map(async (id) => observe(id, await api.transfer(id))),
        );
      }
      if (finished.size !== reported) options.progress?.((reported = finished.size), plan.length);
      inTime();
      if (finished.size < plan.length) await api.driver.settle();
    }
  };
  const untilFailure = (lane: () => Promise<void>) =>
    lane().catch((error: unknown) => {
      failure ??= { error };
    });
  await Promise.all([
    ...Array.from({ length: Math.max(1, options.concurrency) }, () => untilFailure(submit)),
    ...(waitSeconds ? [] : [untilFailure(poll)]),
  ]);
  if (failure) throw failure.error;
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
  ledger.summary.push(describeLoad(figures));
  return figures;
};

/** The load scenario's summary line: throughput, then request→completed latency p50, p90, p99 and max. */
export function describeLoad(figures: LoadFigures): string {
  const { latencyMs } = figures;
  return (
    `${figures.transfers} transfers between ${figures.accounts} accounts in ${(figures.elapsedMs / 1000).toFixed(2)} s: ` +
    `${figures.transfersPerSecond.toFixed(1)} transfers/s; request→completed p50 ${latencyMs.p50} ms, ` +
    `p90 ${latencyMs.p90} ms, p99 ${latencyMs.p99} ms, max ${latencyMs.max} ms` +
    (figures.approvalsGiven > 0 ? `; ${figures.approvalsGiven} held by the velocity rule and approved` : '')
  );
}

export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'small-transfer': smallTransfer,
  approved,
  rejected,
  expired,
  'insufficient-funds': insufficientFunds,
  'concurrent-overdraft': concurrentOverdraft,
  'duplicate-requests': duplicateRequests,
  load,
};

export type ScenarioName = keyof typeof SCENARIOS;

/** Runs one scenario, then checks the invariants over everything it created. */
export async function runScenario(
  api: CardflowApi,
  name: string,
  options: ScenarioOptions,
): Promise<ScenarioResult> {
  const scenario = SCENARIOS[name];
  if (!scenario) throw new Error(`unknown scenario '${name}' (one of ${Object.keys(SCENARIOS).join(', ')})`);
  const ledger = new Ledger();
  let figures: LoadFigures | void = undefined;
  try {
    figures = await scenario(api, ledger, options);
  } catch (error) {
    ledger.violations.push(error instanceof Error ? error.message : String(error));
  }
  await checkInvariants(api, ledger, options);
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
 * The invariants over a run's footprint, as the read models show them (given until `timeoutMs` to
 * catch up): every transfer final; no negative balance; nothing left reserved; the accounts hold
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
  // Invariants over nothing hold trivially: saying so would pass off a run that did nothing as good.
  if (ledger.accounts.size === 0 && ledger.transfers.size === 0) {
    ledger.summary.push('invariants: nothing to check, the run created no account and no transfer');
    return;
  }
  ledger.summary.push(
    `invariants over ${ledger.accounts.size} accounts and ${ledger.transfers.size} transfers: ${problems.length === 0 ? 'hold' : 'BROKEN'}`,
  );
}
