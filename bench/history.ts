/**
 * Decide time against history: one account stream each of 0, 1 000, 10 000 and 100 000 events (a
 * realistic mix: loads, reservations captured by transfers out, transfers in), on an on-disk SQLite
 * database through the local driver, then `LoadCredits` decided and appended by the command engine:
 * - cold: the first decision of a new process (new stores on the same database: no state in memory,
 *   only what the store holds, a snapshot included);
 * - warm: the median of the next decisions in that process;
 * - restarted: the first decision of another new process, after those (a snapshot stored by then),
 *   and next: the median of the decisions after it in that process.
 * A size whose cold decision the trend so far puts above a minute is skipped and said so.
 * Then transfers per second through the real money activities (reserveFunds, creditDestination)
 * from a fresh account and from one with the largest history.
 *
 * Usage: npm run bench:history [-- --sizes 0,1000,10000,100000 --warm N --transfers N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Database } from '@cardflow/local-host';
import { LocalDocumentStore } from '@cardflow/local-host';
import { creditDestination } from '../activities/creditDestination';
import { reserveFunds } from '../activities/reserveFunds';
import { commandTarget, type EventEnvelope } from '../domain';
import { handleCommand } from '../stores/commandEngine';
import { createLocalStores } from '../stores/local/localStores';
import type { StoreSet } from '../stores/ports';

const ACCOUNT = 'acc-bench';
const DESTINATION = 'acc-bench-to';
/** Two days after the history: the outflow window (24 h) holds only the measured transfers. */
const TRANSFERS_AT = '2026-01-03T00:00:00.000Z';
const STREAM = `account-${ACCOUNT}`;
const SKIP_ABOVE_MS = 60_000;
const metadata = { correlationId: 'bench', causationId: 'bench', occurredAt: '2026-01-01T00:00:00.000Z' };

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const sizes = (argument('sizes') ?? '0,1000,10000,100000').split(',').map(Number);
const warmRuns = Number(argument('warm') ?? 20);
const transfers = Number(argument('transfers') ?? 200);
if (
  !sizes.every((n) => Number.isInteger(n) && n >= 0) ||
  !Number.isInteger(warmRuns) ||
  warmRuns < 1 ||
  !Number.isInteger(transfers) ||
  transfers < 0
)
  throw new Error('--sizes takes non-negative integers, --warm a positive integer, --transfers a count');

function openDatabase(file: string): Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

/** Event `version` of the history: after the opening, a load, then a transfer out (reserve, capture), then a transfer in. */
function historyEvent(version: number): EventEnvelope {
  const base = { id: `${STREAM}:seed-${version}`, streamId: STREAM, version, metadata, schemaVersion: 1 };
  if (version === 1)
    return {
      ...base,
      type: 'AccountOpened',
      data: { accountId: ACCOUNT, ownerId: 'usr-bench', ownerName: 'Bench', kind: 'user' },
    };
  const n = Math.floor((version - 2) / 4);
  const transferId = `tr-bench-${n}`;
  switch ((version - 2) % 4) {
    case 0:
      return {
        ...base,
        type: 'CreditsLoaded',
        data: {
          accountId: ACCOUNT,
          loadId: `load-bench-${n}`,
          amount: 10_000,
          fee: 2,
          net: 9_998,
          loadedBy: 'usr-bench',
        },
      };
    case 1:
      return { ...base, type: 'FundsReserved', data: { accountId: ACCOUNT, transferId, amount: 5_000 } };
    case 2:
      return {
        ...base,
        type: 'FundsTransferredOut',
        data: { accountId: ACCOUNT, transferId, amount: 5_000, toAccountId: 'acc-other' },
      };
    default:
      return {
        ...base,
        type: 'FundsTransferredIn',
        data: { accountId: ACCOUNT, transferId: `tr-in-${n}`, amount: 1_000, fromAccountId: 'acc-other' },
      };
  }
}

async function seed(stores: StoreSet, size: number): Promise<void> {
  for (let version = 0; version < size;) {
    const count = Math.min(99, size - version);
    const batch = Array.from({ length: count }, (_, i) => historyEvent(version + i + 1));
    version = await stores.events.append(STREAM, version, batch);
  }
}

/** One LoadCredits decided and appended; its time in ms. */
async function decideOnce(stores: StoreSet, run: string, amount = 2_500): Promise<number> {
  const command = {
    type: 'LoadCredits' as const,
    data: { accountId: ACCOUNT, loadId: `load-${run}`, amount, loadedBy: 'usr-bench' },
  };
  const began = performance.now();
  const { decision, appended } = await handleCommand(stores.events, commandTarget(command), {
    idPrefix: `cmd-${run}`,
    metadata,
  });
  const took = performance.now() - began;
  if (!decision.ok || appended !== 1) throw new Error(`run ${run}: the load was not appended`);
  return took;
}

/** The cold decision at `size` by the growth between the last two sizes measured (quadratic with one). */
function predictCold(measured: readonly { size: number; cold: number }[], size: number): number {
  const points = measured.filter((point) => point.size > 0).slice(-2);
  if (points.length === 0) return 0;
  const last = points[points.length - 1];
  const exponent =
    points.length === 2 ? Math.log(last.cold / points[0].cold) / Math.log(last.size / points[0].size) : 2;
  return last.cold * (size / last.size) ** Math.max(exponent, 1);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 0)} ms`;

/** Opens the destination and loads the source, as a fresh account would be before transferring. */
async function prepareTransfers(stores: StoreSet, withSource: boolean): Promise<void> {
  const open = (accountId: string) =>
    handleCommand(
      stores.events,
      commandTarget({
        type: 'OpenAccount',
        data: { accountId, ownerId: 'usr-bench', ownerName: 'Bench', kind: 'user' },
      }),
      { idPrefix: `open-${accountId}`, metadata },
    );
  if (withSource) await open(ACCOUNT);
  await open(DESTINATION);
  await decideOnce(stores, 'funds', 10_000_000);
}

/** Transfers per second through the real activities (reserve on the source, credit the destination and capture), one after another. */
async function transferRate(stores: StoreSet, count: number, run = 'fresh'): Promise<number> {
  const began = performance.now();
  for (let n = 0; n < count; n++) {
    const input = {
      transferId: `tr-${run}-${n}`,
      fromAccountId: ACCOUNT,
      toAccountId: DESTINATION,
      amount: 100,
      at: TRANSFERS_AT,
      correlationId: 'bench',
      causationId: 'bench',
    };
    const reserved = await reserveFunds(stores.events, input);
    const credited = reserved.ok ? await creditDestination(stores.events, input) : reserved;
    if (!credited.ok) throw new Error(`transfer ${n}: ${credited.reason}`);
  }
  return (count / (performance.now() - began)) * 1000;
}

async function withDatabase<T>(work: (storesOf: () => StoreSet) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cardflow-history-'));
  const db = openDatabase(path.join(dir, 'store.db'));
  try {
    const documents = new LocalDocumentStore(db);
    return await work(() => createLocalStores(documents, { databaseName: 'bench' }));
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function decideTimes(size: number): Promise<void> {
  await withDatabase(async (storesOf) => {
    const seeding = performance.now();
    // The opening decided by the engine for an empty history, so every size has an account.
    if (size === 0) await prepareTransfers(storesOf(), true);
    else await seed(storesOf(), size);
    const seeded = performance.now() - seeding;
    // A new process: stores of their own, nothing of this stream in memory, no snapshot yet.
    const stores = storesOf();
    const cold = await decideOnce(stores, 'cold');
    const warm: number[] = [];
    for (let run = 0; run < warmRuns; run++) warm.push(await decideOnce(stores, `warm-${run}`));
    // Another new process: the snapshot the first one stored, then the events after it.
    const restarted = storesOf();
    const first = await decideOnce(restarted, 'restarted');
    const next: number[] = [];
    for (let run = 0; run < warmRuns; run++) next.push(await decideOnce(restarted, `next-${run}`));
    console.log(
      [
        String(size).padEnd(9),
        ms(seeded).padEnd(9),
        ms(cold).padEnd(9),
        ms(median(warm)).padEnd(9),
        ms(first).padEnd(13),
        ms(median(next)),
      ].join(' '),
    );
    measured.push({ size, cold });
  });
}

const measured: { size: number; cold: number }[] = [];

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`);
  console.log(`decide (LoadCredits, decided and appended); warm and next: median of ${warmRuns}`);
  console.log('events    seed      cold      warm      restarted     next');
  for (const size of sizes) {
    const predicted = predictCold(measured, size);
    if (predicted > SKIP_ABOVE_MS)
      console.log(
        `${String(size).padEnd(9)} skipped: the trend so far puts one decision at ~${Math.round(predicted / 1000)} s`,
      );
    else await decideTimes(size);
  }
  const largest = Math.max(...sizes);
  if (transfers === 0 || predictCold(measured, largest) > SKIP_ABOVE_MS) return;
  const fresh = await withDatabase(async (storesOf) => {
    await prepareTransfers(storesOf(), true);
    return transferRate(storesOf(), transfers);
  });
  const after = await withDatabase(async (storesOf) => {
    await seed(storesOf(), largest);
    // A host that has been running: it loaded the account once (a replay, which stored the snapshot).
    const running = storesOf();
    await prepareTransfers(running, false);
    const rate = await transferRate(running, transfers, 'running');
    // A host started since: the snapshot, then the events after it.
    return { running: rate, restarted: await transferRate(storesOf(), transfers, 'restarted') };
  });
  const change = (rate: number) => `${((rate / fresh - 1) * 100).toFixed(0)} %`;
  console.log(
    `transfers/s through reserveFunds + creditDestination, ${transfers} one after another: fresh accounts ${fresh.toFixed(0)}; ` +
      `a source with ${largest} events: in a running host ${after.running.toFixed(0)} (${change(after.running)}), ` +
      `in a restarted host ${after.restarted.toFixed(0)} (${change(after.restarted)})`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
