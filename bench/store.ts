/**
 * Local store benchmark, on an on-disk SQLite database (WAL), through the event store port of the
 * local driver:
 * - appends per second, single-event and 10-event appends (each an optimistic, idempotent append),
 *   each its own commit with synchronous=NORMAL: the store's own cost, not the disk's (the host's
 *   durable default, FULL with group commit, is what the change-feed phase runs on);
 * - change-feed lag, append → `app.cosmosDB` handler, p50 / p99, through the real host and trigger
 *   service, with appends paced at about one per millisecond.
 * Prints the machine it ran on.
 *
 * Usage: npm run bench:store [-- --appends N --lag-events N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Database } from '@cardflow/local-host';
import { CosmosDBTriggerService, LocalDocumentStoreService } from '@cardflow/local-host';
import { startHost } from '@cardflow/local-host';
import { percentile } from '../simulator/stats';
import { getStores } from '../stores';
import { createLocalStores } from '../stores/local/localStores';
import { LocalDocumentStore } from '@cardflow/local-host';
import type { EventStore, StoredEvent } from '../stores/ports';

const APP_ROOT = path.resolve(__dirname, '../../bench/fixtures/change-feed-lag');
const STREAMS = 100;

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

function openDatabase(file: string): Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

function event(streamId: string, version: number, id = `${streamId}:e${version}`): StoredEvent {
  return {
    id,
    streamId,
    version,
    type: 'CreditsLoaded',
    data: { accountId: streamId, loadId: `load-${version}`, amount: 10_000, fee: 2, net: 9_998 },
    metadata: { correlationId: 'bench', causationId: 'bench', occurredAt: '2026-01-01T00:00:00.000Z' },
    schemaVersion: 1,
  };
}

/** Appends `appends` times `size` events round-robin over STREAMS streams; returns appends per second. */
async function appendRate(
  events: EventStore<StoredEvent>,
  appends: number,
  size: number,
  tag: string,
): Promise<number> {
  const versions = new Array<number>(STREAMS).fill(0);
  const began = performance.now();
  for (let i = 0; i < appends; i++) {
    const s = i % STREAMS;
    const streamId = `account-${tag}-${s}`;
    const batch = Array.from({ length: size }, (_, k) => event(streamId, versions[s] + k + 1));
    versions[s] = await events.append(streamId, versions[s], batch);
  }
  return appends / ((performance.now() - began) / 1000);
}

async function changeFeedLag(dir: string, count: number): Promise<number[]> {
  const appendedAt = new Map<string, number>();
  const lags: number[] = [];
  (globalThis as Record<string, unknown>).storeBench = {
    received(eventId: string, at: number) {
      const sent = appendedAt.get(eventId);
      if (sent !== undefined) lags.push(at - sent);
    },
  };
  const quiet = {
    info: () => undefined,
    warn: (m: string) => console.error(m),
    error: (m: string) => console.error(m),
  };
  const host = await startHost({
    appRoot: APP_ROOT,
    port: 0,
    dataFile: path.join(dir, 'lag.db'),
    log: quiet,
    services: [new LocalDocumentStoreService(), new CosmosDBTriggerService()],
  });
  try {
    // App code's way to the stores: the host published its database.
    const events = getStores({ CARDFLOW_STORE: 'local' }).events as unknown as EventStore<StoredEvent>;
    for (let i = 0; i < count; i++) {
      const streamId = `account-lag-${i % STREAMS}`;
      const version = Math.floor(i / STREAMS) + 1;
      const e = event(streamId, version);
      appendedAt.set(e.id, performance.now());
      await events.append(streamId, version - 1, [e]);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await host.waitForIdle({ timeoutMs: 60_000 });
  } finally {
    await host.stop();
  }
  if (lags.length !== count) throw new Error(`the handler saw ${lags.length} of ${count} events`);
  return lags.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const appends = argument('appends', 5000);
  const lagEvents = argument('lag-events', 2000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-store-'));
  try {
    const db = openDatabase(path.join(dir, 'appends.db'));
    const events = createLocalStores(new LocalDocumentStore(db), { databaseName: 'cardflow' })
      .events as unknown as EventStore<StoredEvent>;
    await appendRate(events, 200, 1, 'warmup');
    const single = await appendRate(events, appends, 1, 'single');
    const batched = await appendRate(events, Math.ceil(appends / 5), 10, 'batch');
    db.close();
    const lags = await changeFeedLag(dir, lagEvents);

    const cpus = os.cpus();
    console.log(
      'store benchmark: local driver (event store port) on the local document store, on-disk SQLite (WAL)',
    );
    console.log(
      `machine:            ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`,
    );
    console.log(
      `single-event:       ${single.toFixed(0)} appends/s (${appends} appends over ${STREAMS} streams)`,
    );
    console.log(
      `10-event batches:   ${batched.toFixed(0)} appends/s = ${(batched * 10).toFixed(0)} events/s (${Math.ceil(appends / 5)} appends)`,
    );
    console.log(
      `change-feed lag:    p50 ${percentile(lags, 50).toFixed(2)} ms, p99 ${percentile(lags, 99).toFixed(2)} ms, max ${lags[lags.length - 1].toFixed(2)} ms ` +
        `(append → cosmosDB trigger handler, ${lagEvents} single-event appends ~1/ms)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
