/**
 * Durable backend throughput on an on-disk SQLite database, through the real host and SDK, shaped
 * like the peers' harnesses (DBOS, Restate): N "hello cities" orchestrations (5 sequential
 * activities each) driven by a closed loop of C clients, each starting one over the Durable HTTP
 * API and awaiting it by polling its `statusQueryGetUri` (as an Azure client does) before the next;
 * then M entity signals sent by HTTP clients to K counter entities. Prints workflows/s, steps/s and
 * start→result p50/p99, signals per second, the machine and its load.
 *
 * Usage: npm run bench:durable [-- --instances N --concurrency C --signals M --entities K]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startHost, type Host } from '@cardflow/local-host';
import { createDurableService, type DurableService } from '@cardflow/local-host';
import { percentile } from '../simulator/stats';

const APP_ROOT = path.resolve(__dirname, '../../bench/fixtures/hello-cities');
const API = '/runtime/webhooks/durabletask';
const STARTING_CLIENTS = 8;
/** Activities per "hello cities" orchestration. */
const STEPS = 5;
/** How often a waiting client polls an orchestration's status, as the peers' Cardflow harness does. */
const POLL_MS = 5;

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

async function main(): Promise<void> {
  const instances = argument('instances', 500);
  const loadAtStart = os.loadavg();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-durable-'));
  const quiet = { info: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };
  const durable = createDurableService();
  const host = await startHost({
    appRoot: APP_ROOT,
    port: 0,
    dataFile: path.join(dir, 'bench.db'),
    log: quiet,
    services: [durable],
  });
  try {
    const concurrency = argument('concurrency', 10);
    const began = performance.now();
    const latencies = (await closedLoop(host, instances, concurrency)).sort((a, b) => a - b);
    const seconds = (performance.now() - began) / 1000;

    const completed = (
      host.db.prepare(`SELECT COUNT(*) AS n FROM durable_instances WHERE status = 'Completed'`).get() as {
        n: number;
      }
    ).n;
    if (completed !== instances)
      throw new Error(`only ${completed} of ${instances} orchestrations completed`);
    const events = (host.db.prepare('SELECT COUNT(*) AS n FROM durable_history').get() as { n: number }).n;
    const cpus = os.cpus();
    console.log(
      `durable benchmark: "hello cities" (5 sequential activities per orchestration), on-disk SQLite (WAL, synchronous ${host.settings.LOCAL_HOST_SQLITE_SYNCHRONOUS || 'FULL'}), closed loop of ${concurrency} clients`,
    );
    console.log(
      `machine:        ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`,
    );
    console.log(
      `load average:   ${loadAtStart.map((l) => l.toFixed(2)).join(' ')} at start (other processes share the cores)`,
    );
    console.log(`orchestrations: ${instances} in ${seconds.toFixed(2)} s`);
    console.log(`history events: ${events} (${(events / instances).toFixed(0)} per orchestration)`);
    console.log(
      `throughput:     ${(instances / seconds).toFixed(1)} workflows/s, ${((instances * STEPS) / seconds).toFixed(1)} steps/s, ${(events / seconds).toFixed(0)} history events/s`,
    );
    console.log(
      `start→result:   p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
    console.log(
      `RESULT ${JSON.stringify({ peer: 'cardflow', workflows: instances, concurrency, seconds: +seconds.toFixed(2), workflowsPerSec: +(instances / seconds).toFixed(1), stepsPerSec: +((instances * STEPS) / seconds).toFixed(1), p50ms: +percentile(latencies, 50).toFixed(1), p99ms: +percentile(latencies, 99).toFixed(1) })}`,
    );
    await entityWorkload(host, argument('signals', 5000), argument('entities', 10));
    await entityBacklog(host, durable, argument('signals', 5000), argument('entities', 10));
  } finally {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * C clients, each starting an orchestration and polling its status until it completed, then the
 * next, until N were started: the start→result latency of each, in ms.
 */
async function closedLoop(host: Host, instances: number, concurrency: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < instances) {
      next++;
      const began = performance.now();
      const res = await fetch(`${host.baseUrl}${API}/orchestrators/HelloCities`, { method: 'POST' });
      if (res.status !== 202) throw new Error(`start failed: ${res.status} ${await res.text()}`);
      const { statusQueryGetUri } = (await res.json()) as { statusQueryGetUri: string };
      for (;;) {
        const status = (await (await fetch(statusQueryGetUri)).json()) as { runtimeStatus: string };
        if (status.runtimeStatus === 'Completed') break;
        if (status.runtimeStatus === 'Failed' || status.runtimeStatus === 'Terminated')
          throw new Error(`an orchestration ended ${status.runtimeStatus}: ${JSON.stringify(status)}`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      latencies.push(performance.now() - began);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return latencies;
}

/** M signals ("add 1") from HTTP clients to K counters; checks the sums and prints signals per second. */
async function entityWorkload(host: Host, signals: number, entities: number): Promise<void> {
  const began = performance.now();
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < signals) {
      const key = `k${next++ % entities}`;
      // As in Azure, only an application/json body is read as JSON (a text/plain one is a string).
      const res = await fetch(`${host.baseUrl}${API}/entities/Counter/${key}?op=add`, {
        method: 'POST',
        body: '1',
        headers: { 'content-type': 'application/json' },
      });
      if (res.status !== 202) throw new Error(`signal failed: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: STARTING_CLIENTS }, client));
  const sent = (performance.now() - began) / 1000;
  await host.waitForIdle({ timeoutMs: 30 * 60_000 });
  const seconds = (performance.now() - began) / 1000;
  let total = 0;
  for (let k = 0; k < entities; k++) {
    const res = await fetch(`${host.baseUrl}${API}/entities/Counter/k${k}`);
    total += (await res.json()) as number;
  }
  if (total !== signals) throw new Error(`the counters add up to ${total}, not ${signals}`);
  console.log(
    `entity signals: ${signals} to ${entities} counters by ${STARTING_CLIENTS} HTTP clients, all applied in ${seconds.toFixed(2)} s (sent in ${sent.toFixed(2)} s)`,
  );
  console.log(`throughput:     ${(signals / seconds).toFixed(0)} signals/s applied`);
}

/** M signals queued at once (no HTTP), then drained: the entity engine's own rate, in batches. */
async function entityBacklog(
  host: Host,
  durable: DurableService,
  signals: number,
  entities: number,
): Promise<void> {
  const before = await counterTotal(host, entities);
  const began = performance.now();
  for (let i = 0; i < signals; i++) durable.signalEntity('Counter', `k${i % entities}`, 'add', '1');
  const queued = (performance.now() - began) / 1000;
  await host.waitForIdle({ timeoutMs: 30 * 60_000 });
  const seconds = (performance.now() - began) / 1000;
  const total = (await counterTotal(host, entities)) - before;
  if (total !== signals) throw new Error(`the backlog added ${total}, not ${signals}`);
  console.log(
    `entity backlog: ${signals} signals queued in-process in ${queued.toFixed(2)} s, all applied after ${seconds.toFixed(2)} s`,
  );
  console.log(
    `throughput:     ${(signals / seconds).toFixed(0)} signals/s applied (batches of up to 50 per invocation)`,
  );
}

async function counterTotal(host: Host, entities: number): Promise<number> {
  let total = 0;
  for (let k = 0; k < entities; k++) {
    const res = await fetch(`${host.baseUrl}${API}/entities/Counter/k${k}`);
    total += res.status === 200 ? ((await res.json()) as number) : (await res.arrayBuffer(), 0);
  }
  return total;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
