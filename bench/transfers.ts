/**
 * The transfer pipeline under load: the simulator's `load` scenario (HTTP API → command handler →
 * events → primary handler → transferProcess → activities → read models) against the whole app in
 * an in-process host on an on-disk SQLite database, on real time. Prints transfers per second and
 * request→completed latency percentiles, with the machine it ran on.
 *
 * Usage: npm run bench [-- --transfers N --accounts M --concurrency C]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHost } from '@cardflow/local-host';
import { CardflowApi, httpDriver } from '../simulator/api';
import { progressBar } from '../simulator/cli';
import { runScenario } from '../simulator/scenarios';
import { SimUsers } from '../simulator/users';

const APP_ROOT = path.resolve(__dirname, '../..');

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

async function main(): Promise<number> {
  const transfers = argument('transfers', 500);
  const accounts = argument('accounts', 20);
  const concurrency = argument('concurrency', 16);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-transfers-'));
  const quiet = { info: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };
  const loadAtStart = os.loadavg();
  // The simulator acts as distinct users; the host authenticates exactly these.
  const users = SimUsers.generate(Math.min(accounts, 8), 'bench');
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
    }
    for (const violation of result.violations) console.error(`✗ ${violation}`);
    return result.violations.length === 0 ? 0 : 1;
  } finally {
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
