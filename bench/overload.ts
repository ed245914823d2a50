/**
 * Overload: C clients submit transfers as fast as the API takes them for S seconds, then stop; the
 * bench waits until every accepted transfer is final (the drain) and checks the invariants. The
 * clients do what the API asks of them: a 429 `backlog_full` is sent again after its `Retry-After`.
 * The host runs in a process of its own, started as `npm start` starts it, on a fresh on-disk
 * database, with its app settings' defaults (`--backlog N` sets `BACKLOG_MAX_COMMANDS`).
 *
 * It reports
 * - requests accepted (202) and refused (429), and any other answer (a violation);
 * - transfers ended per 10 s (by the time their final event occurred), the first minute's rate, and
 *   the lowest full 10 s window until the last one ended against it;
 * - how far the read models lag behind the events: the primary handler's change-feed lag
 *   (`GET /api/health`, `checks.events.lagMs`, read every second), and, sampled once a second, the
 *   time from a `TransferCompleted` event to the transfer's view showing it completed;
 * - how long the drain took, the host's resident set, the machine and its load; `RESULT {json}`.
 *
 * When each transfer ends comes from the host's own Event Grid topic, through a webhook subscription
 * to this process (bench/eventReceiver.ts), so nothing is polled per transfer; the velocity rule's
 * holds are approved as they are asked for.
 *
 * Usage: npm run bench:overload [-- --clients 200 --seconds 60 --accounts 200 --drain-seconds 900
 *                                   --backlog N]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { splitLoad } from '../domain/fees';
import { CardflowApi, FINAL_TRANSFER_STATUSES, httpDriver } from '../simulator/api';
import { admitted, verifyInvariants, waitFor } from '../simulator/scenarios';
import { summarize } from '../simulator/stats';
import { SimUsers } from '../simulator/users';
import { startEventReceiver, type ReceivedEvent } from './eventReceiver';
import { argument, machineLine } from './runInfo';
import { startHostProcess, type HostProcess } from './hostProcess';
import { ratesOf } from './overloadRates';

const APP_ROOT = path.resolve(__dirname, '../..');
const FUNDING = 10_000_000;
const FINAL_TYPES = new Set(
  ['TransferCompleted', 'TransferRejected', 'TransferExpired', 'TransferFailed'].map(
    (type) => `Cardflow.Transfer.${type}`,
  ),
);
const APPROVAL_REQUESTED = 'Cardflow.Transfer.TransferApprovalRequested';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface OverloadResult {
  clients: number;
  seconds: number;
  accepted: number;
  refused: number;
  ended: number;
  firstMinutePerSecond: number;
  /** Null when the work ended within the first 10 s window. */
  lowestWindowPerSecond: number | null;
  /** The lowest full window's rate over the first minute's: the aim is at least 0.5. */
  lowestOverFirst: number | null;
  /** The same over the windows after the first (which includes the start). */
  lowestAfterFirstOverFirst: number | null;
  maxFeedLagMs: number;
  maxViewLagMs: number;
  drainMs: number;
  violations: number;
}

/** The subscriptions the app ships with, and one more: the transfers' ends and holds to this process. */
function subscriptionsFile(dir: string, receiverUrl: string): string {
  const own = JSON.parse(readFileSync(path.join(APP_ROOT, 'eventgrid.local.json'), 'utf8')) as {
    subscriptions: unknown[];
  };
  const file = path.join(dir, 'eventgrid.json');
  const bench = {
    name: 'bench-overload',
    topic: 'cardflow',
    endpoint: receiverUrl,
    includedEventTypes: [...FINAL_TYPES, APPROVAL_REQUESTED],
    retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 60 },
  };
  writeFileSync(file, JSON.stringify({ subscriptions: [...own.subscriptions, bench] }, null, 2));
  return file;
}

async function openAccounts(api: CardflowApi, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, n) => `ovl-${n}`);
  const open = async (accountId: string) => {
    await admitted(api, () => api.openAccount({ accountId, kind: 'user' }));
    await waitFor(api, `account ${accountId}`, 60_000, () => api.account(accountId));
    const { commandId } = await admitted(api, () =>
      api.loadCredits(accountId, { loadId: `${accountId}-load`, amount: FUNDING }),
    );
    const outcome = await waitFor(api, `the load of ${accountId}`, 60_000, async () => {
      const command = await api.command(commandId);
      return command.status === 'pending' ? undefined : command;
    });
    if (outcome.status !== 'succeeded') throw new Error(`loading ${accountId}: ${outcome.status}`);
  };
  for (let i = 0; i < ids.length; i += 16) await Promise.all(ids.slice(i, i + 16).map(open));
  return ids;
}

interface Burst {
  refused: number;
  unexpected: string[];
}

/**
 * `clients` closed loops requesting transfers until `until`, each honouring a 429's Retry-After;
 * each transfer accepted goes into `accepted` (id → when) as it is.
 */
async function burst(
  api: CardflowApi,
  accounts: readonly string[],
  clients: number,
  until: number,
  accepted: Map<string, number>,
): Promise<Burst> {
  const result: Burst = { refused: 0, unexpected: [] };
  let sequence = 0;
  const client = async () => {
    while (Date.now() < until) {
      const n = sequence++;
      const from = accounts[n % accounts.length];
      const hop = 1 + (n % Math.max(1, accounts.length - 1));
      const to = accounts[(n + hop) % accounts.length];
      const transferId = `ovl-t-${n}`;
      const body = { transferId, fromAccountId: from, toAccountId: to, amount: 100 + ((n * 7919) % 4_901) };
      let res: Response;
      try {
        res = await fetch(`${api.driver.baseUrl}/api/transfers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...api.users.headersOf(api.ownerOf(from)) },
          body: JSON.stringify(body),
        });
      } catch (error) {
        result.unexpected.push(`POST /api/transfers: ${String(error)}`);
        continue;
      }
      const text = await res.text();
      if (res.status === 202) accepted.set(transferId, Date.now());
      else if (res.status === 429) {
        result.refused++;
        const seconds = Number(res.headers.get('retry-after'));
        if (!Number.isFinite(seconds) || seconds <= 0)
          result.unexpected.push(`429 without a Retry-After: ${text}`);
        await sleep(Math.min(Math.max(seconds, 0) * 1000, Math.max(0, until - Date.now())));
      } else result.unexpected.push(`POST /api/transfers answered ${res.status}: ${text.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return result;
}

/** Once a second: the primary handler's change-feed lag and the host's resident set. */
function sampleHealth(api: CardflowApi, host: HostProcess) {
  const feedLags: number[] = [];
  let maxRss = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      try {
        const res = await fetch(`${api.driver.baseUrl}/api/health`);
        const health = (await res.json()) as { checks?: { events?: { lagMs?: number } } };
        const lag = health.checks?.events?.lagMs;
        if (typeof lag === 'number') feedLags.push(lag);
      } catch {
        // a health read that failed is no figure; the run's violations come from the clients
      }
      maxRss = Math.max(maxRss, host.rssBytes() ?? 0);
      await sleep(1_000);
    }
  })();
  return {
    feedLags,
    maxRss: () => maxRss,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

/**
 * Once a second, a probe of the newest accepted transfer not looked at yet: its view is read every
 * 50 ms (for at most `limitMs`) until it shows the transfer final, and the lag is that moment less the time of the
 * transfer's final event (the CloudEvent's `time`, when it was appended), learned from the topic
 * afterwards. The view is written before the event is published, so the event's arrival here says
 * nothing about the view. Probes run side by side: one that waits for a slow delivery delays no other.
 */
function probeViews(
  api: CardflowApi,
  accepted: ReadonlyMap<string, number>,
  ended: ReadonlyMap<string, ReceivedEvent>,
  limitMs: number,
) {
  const lags: number[] = [];
  const failures: string[] = [];
  const probes: Array<Promise<void>> = [];
  const probe = async (transferId: string) => {
    let shownAt: number | undefined;
    for (const started = Date.now(); Date.now() - started < limitMs;) {
      const view = await api.transfer(transferId).catch(() => undefined);
      if (view && FINAL_TRANSFER_STATUSES.includes(view.status)) {
        shownAt = Date.now();
        break;
      }
      await sleep(50);
    }
    if (shownAt === undefined) {
      failures.push(`the view of ${transferId} did not show it final within ${Math.round(limitMs / 1000)} s`);
      return;
    }
    for (const waited = Date.now(); !ended.has(transferId) && Date.now() - waited < 60_000;) await sleep(20);
    const event = ended.get(transferId);
    if (event) lags.push(Math.max(0, shownAt - event.occurredAt));
    else failures.push(`no final event of ${transferId} reached the topic's subscriber within 60 s`);
  };
  let stopped = false;
  const done = (async () => {
    const probed = new Set<string>();
    while (!stopped) {
      const newest = [...accepted.keys()].at(-1);
      if (newest !== undefined && !probed.has(newest)) {
        probed.add(newest);
        probes.push(probe(newest));
      }
      await sleep(1_000);
    }
    await Promise.all(probes);
  })();
  return {
    lags,
    failures,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

async function main(): Promise<number> {
  const clients = argument('clients', 200);
  const seconds = argument('seconds', 60);
  const accountCount = argument('accounts', 200);
  const drainSeconds = argument('drain-seconds', 900);
  const backlogAt = process.argv.indexOf('--backlog');
  const backlog = backlogAt >= 0 ? String(argument('backlog', 500)) : undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-overload-'));
  const loadAtStart = os.loadavg();
  const users = SimUsers.generate(Math.min(accountCount, 8), 'bench');
  users.writeFile(path.join(dir, 'users.json'));
  const receiver = await startEventReceiver();
  let host: HostProcess | undefined;
  try {
    host = await startHostProcess({
      appRoot: APP_ROOT,
      dataDir: path.join(dir, 'data'),
      env: {
        CARDFLOW_STORE: 'local',
        CARDFLOW_AUTH_FILE: path.join(dir, 'users.json'),
        EVENTGRID_SUBSCRIPTIONS_FILE: subscriptionsFile(dir, receiver.url),
        ...(backlog ? { BACKLOG_MAX_COMMANDS: backlog } : {}),
      },
    });
    const api = new CardflowApi(httpDriver(host.baseUrl, 20), users);
    const ended = new Map<string, ReceivedEvent>();
    const approvals: Array<Promise<unknown>> = [];
    const violations: string[] = [];
    receiver.onEvent((event) => {
      const transferId = event.subject.replace(/^transfer-/, '');
      if (event.type === APPROVAL_REQUESTED) {
        approvals.push(
          admitted(api, () => api.decide(transferId, { decision: 'approve' })).catch((error: unknown) => {
            violations.push(`approving ${transferId}: ${String(error)}`);
          }),
        );
      } else if (FINAL_TYPES.has(event.type) && !ended.has(transferId)) {
        ended.set(transferId, event);
      }
    });
    const accounts = await openAccounts(api, accountCount);

    const health = sampleHealth(api, host);
    const acceptedAt = new Map<string, number>();
    // A probe may wait as long as the burst and the drain together (then the drain fails too).
    const views = probeViews(api, acceptedAt, ended, (seconds + drainSeconds) * 1000);
    const cpuAtStart = host.cpuMs();
    const start = Date.now();
    const submitted = await burst(api, accounts, clients, start + seconds * 1000, acceptedAt);
    const burstEnd = Date.now();
    violations.push(...submitted.unexpected.slice(0, 5));
    if (submitted.unexpected.length > 5)
      violations.push(`… and ${submitted.unexpected.length - 5} more unexpected answers`);
    const accepted = [...acceptedAt.keys()];
    const drainDeadline = burstEnd + drainSeconds * 1000;
    while (accepted.some((id) => !ended.has(id)) && Date.now() < drainDeadline) await sleep(200);
    const drainMs = Date.now() - burstEnd;
    const cpuMs = host.cpuMs() - cpuAtStart;
    await Promise.all(approvals);
    await views.stop();
    await health.stop();
    violations.push(...views.failures);
    const notEnded = accepted.filter((id) => !ended.has(id));
    if (notEnded.length > 0)
      violations.push(
        `${notEnded.length} accepted transfers did not end within ${drainSeconds} s of the burst`,
      );
    const notCompleted = [...ended.values()].filter((e) => e.type !== 'Cardflow.Transfer.TransferCompleted');
    if (notCompleted.length > 0)
      violations.push(
        `${notCompleted.length} transfers ended other than completed (${notCompleted[0].type})`,
      );
    violations.push(
      ...(await verifyInvariants(
        api,
        {
          accounts: new Set(accounts),
          transfers: new Set(accepted),
          netLoaded: accounts.length * splitLoad(FUNDING).net,
        },
        { timeoutMs: 60_000 },
      )),
    );

    const endTimes = accepted
      .map((id) => ended.get(id)?.occurredAt)
      .filter((at): at is number => at !== undefined);
    const rates = ratesOf(endTimes, start, burstEnd, seconds);
    const feedLag = summarize(health.feedLags);
    const viewLag = summarize(views.lags);
    const result: OverloadResult = {
      clients,
      seconds,
      accepted: accepted.length,
      refused: submitted.refused,
      ended: endTimes.length,
      firstMinutePerSecond: rates.firstMinutePerSecond,
      lowestWindowPerSecond: rates.lowestWindowPerSecond,
      lowestOverFirst: rates.lowestOverFirst,
      lowestAfterFirstOverFirst: rates.lowestAfterFirstOverFirst,
      maxFeedLagMs: feedLag.max,
      maxViewLagMs: viewLag.max,
      drainMs,
      violations: violations.length,
    };
    console.log(machineLine(loadAtStart));
    console.log(
      `host: node dist/runtime/cli.js (process ${host.pid}), store local (SQLite, WAL, durable default); ${clients} clients for ${seconds} s, ${accounts.length} accounts, BACKLOG_MAX_COMMANDS ${backlog ?? 'default'}`,
    );
    console.log(
      `requests: ${accepted.length} accepted (202), ${submitted.refused} refused (429 backlog_full) in ${((burstEnd - start) / 1000).toFixed(1)} s`,
    );
    console.log(`ended per 10 s: ${rates.perWindow.join(' ')}`);
    console.log(
      `rate: first ${rates.firstSpanSeconds} s ${result.firstMinutePerSecond}/s, ` +
        (result.lowestOverFirst === null
          ? 'no full 10 s window with work all along'
          : `lowest full 10 s window with work all along ${result.lowestWindowPerSecond}/s (${(result.lowestOverFirst * 100).toFixed(0)} % of the first)` +
            (result.lowestAfterFirstOverFirst === null
              ? ''
              : `, after the first window (the start) ${(result.lowestAfterFirstOverFirst * 100).toFixed(0)} %`)),
    );
    console.log(
      `read models: events change-feed lag p50 ${feedLag.p50} ms, max ${feedLag.max} ms (${feedLag.count} samples); final event → view p50 ${viewLag.p50} ms, max ${viewLag.max} ms (${viewLag.count} samples)`,
    );
    console.log(
      `drain: ${notEnded.length === 0 ? 'every accepted transfer ended' : `${notEnded.length} accepted transfers had not ended`} ${(drainMs / 1000).toFixed(1)} s after the burst; ${endTimes.length} ended, ${notCompleted.length} not completed; host CPU ${(cpuMs / Math.max(1, endTimes.length)).toFixed(1)} ms per transfer, resident set at most ${(health.maxRss() / 2 ** 20).toFixed(0)} MiB`,
    );
    console.log(
      `invariants over ${accounts.length} accounts and ${accepted.length} transfers: ${violations.length === 0 ? 'hold' : 'BROKEN'}`,
    );
    console.log(`RESULT ${JSON.stringify(result)}`);
    for (const violation of violations) console.error(`✗ ${violation}`);
    return violations.length === 0 ? 0 : 1;
  } finally {
    await host?.stop();
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
