/**
 * The transfer pipeline under load: the simulator's `load` scenario (HTTP API → command handler →
 * events → primary handler → transferProcess → activities → read models) against the whole app on
 * a host in a process of its own, started as `npm start` starts it (`node dist/runtime/cli.js` in
 * the app's folder: its default durability, the embedded store), on an on-disk SQLite database in a
 * fresh folder, on real time; the client (this process) only drives HTTP. Prints transfers per
 * second, request→completed latency percentiles, the host's CPU time per transfer and its resident
 * set after the first 1 000 transfers and at the end, with the machine and its load.
 *
 * Usage: npm run bench [-- --transfers N --accounts M --concurrency C --tracing off|on|both --rounds R
 *                         --reads wait|poll --cpu-prof DIR]
 *
 * `--reads`: how each client learns that its transfer is final. `wait` (the default): it reads the
 * transfer with `Prefer: wait=10`, which the host holds until the transfer settles; `poll`: one
 * poller reads every open transfer every 10 ms, as clients did before the API could wait.
 *
 * `--cpu-prof DIR`: the host writes a CPU profile of the run into DIR (`node --cpu-prof`) as it exits.
 *
 * `--tracing on` exports every span and metric over OTLP (protobuf) to a collector in a process of
 * its own (bench/otlpCollector.ts), as in production; `both` measures off and on side by side: R rounds
 * (default 2), each an off and an on run in fresh processes (OpenTelemetry keeps one provider per
 * process), then the cost of tracing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CardflowApi, httpDriver } from '../simulator/api';
import { progressReporter } from '../simulator/cli';
import { runScenario } from '../simulator/scenarios';
import { SimUsers } from '../simulator/users';
import { startCollector } from './otlpCollector';
import { argument, machineLine } from './runInfo';
import { startHostProcess } from './hostProcess';

const APP_ROOT = path.resolve(__dirname, '../..');

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? path.resolve(process.argv[at + 1] ?? '.') : undefined;
}

function readsMode(): 'wait' | 'poll' {
  const at = process.argv.indexOf('--reads');
  const value = at >= 0 ? process.argv[at + 1] : 'wait';
  if (value !== 'wait' && value !== 'poll') throw new Error('--reads must be wait or poll');
  return value;
}

function tracingMode(): 'off' | 'on' | 'both' {
  const at = process.argv.indexOf('--tracing');
  const value = at >= 0 ? process.argv[at + 1] : 'off';
  if (value !== 'off' && value !== 'on' && value !== 'both')
    throw new Error('--tracing must be off, on or both');
  return value;
}

interface RunResult {
  tracing: 'off' | 'on';
  transfersPerSecond: number;
  /** CPU time (user + system) the host process spent per transfer, ms: less sensitive to a busy machine than throughput. */
  cpuMsPerTransfer: number;
  p50: number;
  p99: number;
}

/**
 * `--tracing both`: R rounds, each an off run and an on run next to each other (the order swapped
 * every round, so a drift in the machine's speed counts against neither), each in a fresh process;
 * then the cost of tracing as the median of the rounds' on/off ratios — a busy neighbour slows a
 * round, not one side of it — and as their mean (with an even number of rounds, each order runs
 * as often, so a run that is slower for being first or second counts against neither side), in
 * throughput and in CPU time per transfer.
 */
function compareTracing(): number {
  const rounds = argument('rounds', 2);
  const passOn = process.argv
    .slice(2)
    .filter((_, i, all) => all[i] !== '--tracing' && all[i - 1] !== '--tracing');
  const pairs: Array<Record<'off' | 'on', RunResult>> = [];
  const loadAtStart = os.loadavg();
  for (let round = 1; round <= rounds; round++) {
    const pair: Partial<Record<'off' | 'on', RunResult>> = {};
    for (const tracing of round % 2 === 1 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const result = runOnce(passOn, tracing);
      if (!result) return 1;
      pair[tracing] = result;
      console.log(
        `round ${round} tracing ${tracing}: ${result.transfersPerSecond.toFixed(1)} transfers/s, ${result.cpuMsPerTransfer.toFixed(2)} CPU ms/transfer, p50 ${result.p50} ms, p99 ${result.p99} ms`,
      );
    }
    pairs.push(pair as Record<'off' | 'on', RunResult>);
  }
  const mean = (tracing: 'off' | 'on', measure: (r: RunResult) => number) =>
    average(pairs.map((pair) => measure(pair[tracing])));
  const percent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
  const throughputCosts = pairs.map((pair) => 1 - pair.on.transfersPerSecond / pair.off.transfersPerSecond);
  const cpuCosts = pairs.map((pair) => pair.on.cpuMsPerTransfer / pair.off.cpuMsPerTransfer - 1);
  const tps = (tracing: 'off' | 'on') => mean(tracing, (r) => r.transfersPerSecond).toFixed(1);
  const cpu = (tracing: 'off' | 'on') => mean(tracing, (r) => r.cpuMsPerTransfer).toFixed(2);
  console.log(
    `throughput: off ${tps('off')}, on ${tps('on')} transfers/s (means); cost of tracing over ${rounds} rounds: mean ${percent(average(throughputCosts))}, median ${percent(median(throughputCosts))} (rounds: ${throughputCosts.map(percent).join(', ')})`,
  );
  console.log(
    `CPU per transfer: off ${cpu('off')}, on ${cpu('on')} ms (means); cost of tracing: mean ${percent(average(cpuCosts))}, median ${percent(median(cpuCosts))} (rounds: ${cpuCosts.map(percent).join(', ')})`,
  );
  console.log(
    `load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  return 0;
}

function average(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0) / values.length;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** One run in a process of its own, with no telemetry settings but the ones `tracing` brings. */
function runOnce(passOn: readonly string[], tracing: 'off' | 'on'): RunResult | undefined {
  const env = { ...process.env };
  for (const name of Object.keys(env))
    if (name.startsWith('OTEL_') || name.startsWith('APPLICATIONINSIGHTS_')) delete env[name];
  const run = spawnSync(process.execPath, [__filename, ...passOn, '--tracing', tracing], {
    env,
    encoding: 'utf8',
  });
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (run.status !== 0 || !line) {
    console.error(run.stdout, run.stderr);
    return undefined;
  }
  return JSON.parse(line.slice('RESULT '.length)) as RunResult;
}

async function main(): Promise<number> {
  const tracing = tracingMode();
  if (tracing === 'both') return compareTracing();
  const transfers = argument('transfers', 500);
  const accounts = argument('accounts', 20);
  const concurrency = argument('concurrency', 16);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-transfers-'));
  const loadAtStart = os.loadavg();
  // The simulator acts as distinct users; the host authenticates exactly these (its users file).
  const users = SimUsers.generate(Math.min(accounts, 8), 'bench');
  users.writeFile(path.join(dir, 'users.json'));
  // Tracing on: every span and metric goes over OTLP to a collector in a process of its own.
  const collector = tracing === 'on' ? await startCollector() : undefined;
  const host = await startHostProcess({
    appRoot: APP_ROOT,
    dataDir: path.join(dir, 'data'),
    cpuProfileDir: option('cpu-prof'),
    env: {
      CARDFLOW_STORE: 'local',
      CARDFLOW_AUTH_FILE: path.join(dir, 'users.json'),
      ...(collector ? { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint } : {}),
    },
  }).catch((error: unknown) => {
    collector?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  try {
    const reads = readsMode();
    const api = new CardflowApi(httpDriver(host.baseUrl, 10, reads === 'wait' ? 10 : undefined), users);
    const cpuAtStart = host.cpuMs();
    const reportProgress = progressReporter(process.stderr);
    let rssAfterFirst: number | undefined;
    const result = await runScenario(api, 'load', {
      runId: 'bench',
      transfers,
      accounts,
      concurrency,
      timeoutMs: Math.max(120_000, transfers * 100),
      out: (line) => console.log(line),
      progress: (done, total) => {
        if (rssAfterFirst === undefined && done >= Math.min(1_000, total)) rssAfterFirst = host.rssBytes();
        // A bar on a terminal only: piped output (the --tracing both rounds, a log) gets no \r frames.
        reportProgress?.(done, total);
      },
    });
    const cpuMs = host.cpuMs() - cpuAtStart;
    const rssAtEnd = host.rssBytes();
    console.log(machineLine(loadAtStart));
    console.log(
      `host: node dist/runtime/cli.js (process ${host.pid}), store local (SQLite, WAL, durable default) in ${path.join(dir, 'data')}; transfers ${transfers}, accounts ${accounts}, client concurrency ${concurrency}, reads ${reads === 'wait' ? 'waiting on the host (Prefer: wait=10)' : 'polled every 10 ms'}`,
    );
    for (const line of result.summary) console.log(line);
    if (result.load) {
      const { transfersPerSecond, latencyMs, elapsedMs } = result.load;
      console.log(
        `transfers/s: ${transfersPerSecond.toFixed(1)}  (${transfers} in ${(elapsedMs / 1000).toFixed(2)} s)`,
      );
      console.log(
        `command→completed latency ms: p50 ${latencyMs.p50}  p90 ${latencyMs.p90}  p99 ${latencyMs.p99}  max ${latencyMs.max}  mean ${latencyMs.mean}`,
      );
      const exported = collector ? await collector.count() : undefined;
      console.log(
        `tracing: ${tracing}${exported ? ` (OTLP to a collector process: ${exported.exports} trace exports, ${exported.bytes} bytes)` : ''}`,
      );
      const cpuMsPerTransfer = cpuMs / transfers;
      console.log(`host CPU: ${cpuMsPerTransfer.toFixed(2)} ms per transfer (user + system)`);
      const mib = (bytes: number | undefined) => (bytes === undefined ? '?' : (bytes / 2 ** 20).toFixed(0));
      console.log(
        `host resident set: ${mib(rssAfterFirst)} MiB after ${Math.min(1_000, transfers)} transfers, ${mib(rssAtEnd)} MiB after ${transfers}${rssAfterFirst && rssAtEnd ? ` (${((rssAtEnd / rssAfterFirst - 1) * 100).toFixed(1)} %)` : ''}`,
      );
      const summary: RunResult = {
        tracing,
        transfersPerSecond,
        cpuMsPerTransfer,
        p50: latencyMs.p50,
        p99: latencyMs.p99,
      };
      console.log(`RESULT ${JSON.stringify(summary)}`);
    }
    for (const violation of result.violations) console.error(`✗ ${violation}`);
    return result.violations.length === 0 ? 0 : 1;
  } finally {
    collector?.stop();
    await host.stop();
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
