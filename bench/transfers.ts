/**
 * The transfer pipeline under load: the simulator's `load` scenario (HTTP API → command handler →
 * events → primary handler → transferProcess → activities → read models) against the whole app in
 * an in-process host on an on-disk SQLite database, on real time. Prints transfers per second and
 * request→completed latency percentiles, with the machine it ran on.
 *
 * Usage: npm run bench [-- --transfers N --accounts M --concurrency C --tracing off|on|both --rounds R]
 *
 * `--tracing on` exports every span and metric over OTLP (protobuf) to a collector in a process of
 * its own (bench/otlpCollector.ts), as in production; `both` measures off and on side by side: R rounds (default 2) of each, alternating, each
 * in a fresh process (OpenTelemetry keeps one provider per process), then the cost of tracing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHost } from '@cardflow/local-host';
import { CardflowApi, httpDriver } from '../simulator/api';
import { progressBar } from '../simulator/cli';
import { runScenario } from '../simulator/scenarios';
import { SimUsers } from '../simulator/users';
import { startCollector } from './otlpCollector';

const APP_ROOT = path.resolve(__dirname, '../..');

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
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
  p50: number;
  p99: number;
}

/** `--tracing both`: alternating child runs, then a side-by-side summary. */
function compareTracing(): number {
  const rounds = argument('rounds', 2);
  const passOn = process.argv
    .slice(2)
    .filter((_, i, all) => all[i] !== '--tracing' && all[i - 1] !== '--tracing');
  const results: RunResult[] = [];
  const loadAtStart = os.loadavg();
  for (let round = 1; round <= rounds; round++)
    for (const tracing of ['off', 'on'] as const) {
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
        return 1;
      }
      const result = JSON.parse(line.slice('RESULT '.length)) as RunResult;
      results.push(result);
      console.log(
        `round ${round} tracing ${tracing}: ${result.transfersPerSecond.toFixed(1)} transfers/s, p50 ${result.p50} ms, p99 ${result.p99} ms`,
      );
    }
  const mean = (tracing: 'off' | 'on') => {
    const mine = results.filter((r) => r.tracing === tracing);
    return mine.reduce((total, r) => total + r.transfersPerSecond, 0) / mine.length;
  };
  const [off, on] = [mean('off'), mean('on')];
  console.log(
    `tracing off ${off.toFixed(1)} transfers/s, on ${on.toFixed(1)} transfers/s: on/off = ${(on / off).toFixed(3)} (cost ${((1 - on / off) * 100).toFixed(1)} %); load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  return 0;
}

async function main(): Promise<number> {
  const tracing = tracingMode();
  if (tracing === 'both') return compareTracing();
  const transfers = argument('transfers', 500);
  const accounts = argument('accounts', 20);
  const concurrency = argument('concurrency', 16);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-transfers-'));
  const quiet = { info: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };
  const loadAtStart = os.loadavg();
  // The simulator acts as distinct users; the host authenticates exactly these.
  const users = SimUsers.generate(Math.min(accounts, 8), 'bench');
  // Tracing on: every span and metric goes over OTLP to a collector in a process of its own.
  const collector = tracing === 'on' ? await startCollector() : undefined;
  if (collector) process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.endpoint;
  const host = await startHost({
    users: [...users.all],
    appRoot: APP_ROOT,
    port: 0,
    dataFile: path.join(dir, 'cardflow.db'),
    log: quiet,
    settings: { CARDFLOW_STORE: 'local' },
  });
  try {
    const api = new CardflowApi(httpDriver(host.baseUrl, 10), users);
    const result = await runScenario(api, 'load', {
      runId: 'bench',
      transfers,
      accounts,
      concurrency,
      timeoutMs: 120_000,
      out: (line) => console.log(line),
      progress: (done, total) =>
        process.stderr.write(`\r${progressBar(done, total)}${done === total ? '\n' : ''}`),
    });
    const cpus = os.cpus();
    console.log(
      `machine: ${cpus[0]?.model ?? 'unknown cpu'} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}, node ${process.version}, load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`,
    );
    console.log(
      `store: local (SQLite, WAL) at ${path.join(dir, 'cardflow.db')}; transfers ${transfers}, accounts ${accounts}, client concurrency ${concurrency}`,
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
      const summary: RunResult = { tracing, transfersPerSecond, p50: latencyMs.p50, p99: latencyMs.p99 };
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
