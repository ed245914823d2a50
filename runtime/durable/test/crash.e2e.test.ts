/**
 * Kills the compiled host (`node dist/runtime/cli.js`, built by `npm test` before jest) with SIGKILL
 * at random moments while it runs 200 orchestrations on an on-disk database, restarts it each time,
 * and checks that in the end every instance completed with the right output and every activity's
 * side effect happened (at least once: an attempt cut short by the kill runs again).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Database } from '../../sqlite';

const CLI = path.resolve(__dirname, '../../../dist/runtime/cli.js');
const APP = path.join(__dirname, 'fixtures/crash-app');
const RUNNER = path.join(__dirname, 'fixtures/runHost.js');
const API = '/runtime/webhooks/durabletask';
const INSTANCES = 200;
const KILLS = 5;
const STEPS = 5;

interface Launched {
  child: ChildProcess;
  baseUrl: string;
  exited: Promise<void>;
  /** What the host wrote until it listened. */
  startup: string;
}

/** What the fixture's 'Crunch' orchestration must return for input n. */
function expectedOutput(n: number): { n: number; value: number; fan: number[] } {
  const v1 = 2 * n + 1;
  const v2 = 2 * v1 + 2;
  const v3 = 2 * v2 + 3;
  return { n, value: v3, fan: [2 * (v3 + 1) + 4, 2 * (v3 + 2) + 5] };
}

/** The result each step records for input n (step 1..5). */
function expectedEffects(n: number): number[] {
  const v1 = 2 * n + 1;
  const v2 = 2 * v1 + 2;
  const v3 = 2 * v2 + 3;
  return [v1, v2, v3, 2 * (v3 + 1) + 4, 2 * (v3 + 2) + 5];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The CLI on the crash app, its database in `dir`/data; the app on `workers` worker threads (1: the host's own). */
function launch(dir: string, errors: string[], workers = 1): Promise<Launched> {
  return launchProcess(
    [CLI, '--app', APP, '--data-dir', path.join(dir, 'data'), '--port', '0'],
    dir,
    errors,
    {
      FUNCTIONS_WORKER_PROCESS_COUNT: String(workers),
    },
  );
}

function launchProcess(
  args: string[],
  dir: string,
  errors: string[],
  env: Record<string, string> = {},
): Promise<Launched> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, CRASH_EFFECTS_DB: path.join(dir, 'effects.db'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stderr?.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`host did not start: ${seen}${errors.join('')}`)),
      20_000,
    );
    // Keeps reading stdout (every invocation logs a line) so the child never blocks on a full pipe.
    child.stdout?.on('data', (chunk: Buffer) => {
      if (timer === undefined) return;
      seen += chunk.toString();
      const match = /Host listening on (http:\/\/[^\s]+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        const startup = seen;
        seen = '';
        resolve({ child, baseUrl: match[1], exited, startup });
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`host exited (${code}) before listening: ${errors.join('')}`)),
    );
  });
}

/**
 * Starts every instance not known to exist yet. Starting an id whose instance has completed would
 * start it over (as in Azure), so an id is started only when the host does not know it.
 */
async function submitAll(baseUrl: string, started: Set<number>): Promise<void> {
  const todo = Array.from({ length: INSTANCES }, (_, i) => i).filter((i) => !started.has(i));
  const worker = async (): Promise<void> => {
    for (let i = todo.shift(); i !== undefined; i = todo.shift()) {
      const known = await fetch(`${baseUrl}${API}/instances/crash-${i}`);
      await known.arrayBuffer();
      if (known.status !== 404) {
        started.add(i);
        continue;
      }
      const res = await fetch(`${baseUrl}${API}/orchestrators/Crunch/crash-${i}`, {
        method: 'POST',
        body: JSON.stringify(i),
        headers: { 'content-type': 'application/json' },
      });
      await res.arrayBuffer();
      if (res.status !== 202 && res.status !== 409) throw new Error(`start crash-${i}: ${res.status}`);
      started.add(i);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function completedCount(baseUrl: string): Promise<number> {
  const res = await fetch(`${baseUrl}${API}/instances?runtimeStatus=Completed&top=1000`);
  return ((await res.json()) as unknown[]).length;
}

function countCompleted(dir: string): number {
  const file = path.join(dir, 'data', 'cardflow.db');
  if (!existsSync(file)) return 0;
  const db = new Database(file);
  try {
    return (
      db.prepare(`SELECT COUNT(*) AS n FROM durable_instances WHERE status = 'Completed'`).get() as {
        n: number;
      }
    ).n;
  } finally {
    db.close();
  }
}

describe.each([
  ['in the host process', 1],
  ['on two worker threads', 2],
])('the durable backend killed with SIGKILL and restarted, the app %s', (_where, workers) => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'durable-crash-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('completes 200 orchestrations with the right outputs and every side effect after five kills', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does).`);
    const errors: string[] = [];
    const killedAfterMs: number[] = [];
    const completedAtKill: number[] = [];
    const started = new Set<number>();
    for (let kill = 0; kill < KILLS; kill++) {
      const host = await launch(dir, errors, workers);
      expect(host.startup.includes('The app runs on 2 worker threads')).toBe(workers === 2);
      const submitting = submitAll(host.baseUrl, started).catch(() => undefined);
      // A random moment while work is in flight: once a random share of the instances has completed
      // (so every kill interrupts work however fast the machine), plus a random few milliseconds.
      const target = Math.floor(
        ((kill + 1) * INSTANCES) / (KILLS + 2) + Math.random() * (INSTANCES / (KILLS + 2)),
      );
      const began = Date.now();
      while ((await completedCount(host.baseUrl).catch(() => 0)) < target && Date.now() - began < 20_000)
        await sleep(5);
      await sleep(Math.floor(Math.random() * 25));
      killedAfterMs.push(Date.now() - began);
      host.child.kill('SIGKILL');
      await host.exited;
      await submitting;
      completedAtKill.push(countCompleted(dir));
    }
    // Every kill interrupted work in progress (else the test would prove nothing), and nothing finished was undone.
    expect(completedAtKill.every((n) => n < INSTANCES)).toBe(true);
    expect([...completedAtKill].sort((a, b) => a - b)).toEqual(completedAtKill);

    const host = await launch(dir, errors, workers);
    try {
      await submitAll(host.baseUrl, started);
      const deadline = Date.now() + 30_000;
      let completed = await completedCount(host.baseUrl);
      while (completed < INSTANCES && Date.now() < deadline) {
        await sleep(100);
        completed = await completedCount(host.baseUrl);
      }
      expect({ completed, killedAfterMs, completedAtKill }).toEqual({
        completed: INSTANCES,
        killedAfterMs,
        completedAtKill,
      });
    } finally {
      host.child.kill('SIGTERM');
      await host.exited;
    }

    const durable = new Database(path.join(dir, 'data', 'cardflow.db'), { readonly: true });
    try {
      const rows = durable
        .prepare(
          `SELECT instance_id, status, output FROM durable_instances WHERE name = 'Crunch' ORDER BY instance_id`,
        )
        .all() as Array<{ instance_id: string; status: string; output: string }>;
      expect(rows).toHaveLength(INSTANCES);
      const wrong = rows.filter((r) => {
        const n = Number(r.instance_id.slice('crash-'.length));
        return (
          r.status !== 'Completed' ||
          JSON.stringify(JSON.parse(r.output)) !== JSON.stringify(expectedOutput(n))
        );
      });
      expect(wrong).toEqual([]);
    } finally {
      durable.close();
    }

    const effects = new Database(path.join(dir, 'effects.db'), { readonly: true });
    try {
      const recorded = effects.prepare('SELECT instance_id, step, result FROM effects').all() as Array<{
        instance_id: string;
        step: number;
        result: number;
      }>;
      const byKey = new Map(recorded.map((r) => [`${r.instance_id}/${r.step}`, r.result]));
      const missingOrWrong: string[] = [];
      for (let i = 0; i < INSTANCES; i++) {
        const results = expectedEffects(i);
        for (let step = 1; step <= STEPS; step++)
          if (byKey.get(`crash-${i}/${step}`) !== results[step - 1])
            missingOrWrong.push(`crash-${i}/${step}`);
      }
      expect(missingOrWrong).toEqual([]);
      expect(recorded).toHaveLength(INSTANCES * STEPS);
      const repeated = effects.prepare('SELECT COUNT(*) AS n FROM effects WHERE runs > 1').get() as {
        n: number;
      };
      // Informational: activities cut short by a kill ran again (at-least-once).
      process.stdout.write(
        `crash test: kills ${killedAfterMs.join(', ')} ms after the start; completed at each kill ${completedAtKill.join(', ')}; ${repeated.n} side effects repeated\n`,
      );
    } finally {
      effects.close();
    }
  }, 90_000);
});

describe('work that kills the worker process', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'durable-poison-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Launches the runner until the instance has finished, starting it on the first launch; returns its status and the launches. */
  async function runUntilFinished(
    orchestrator: string,
    instanceId: string,
  ): Promise<{ status?: { runtimeStatus: string; output: unknown }; launches: number }> {
    const errors: string[] = [];
    const options = JSON.stringify({ maxCrashAttempts: 3, crashRetryBaseMs: 50 });
    const args = [RUNNER, APP, path.join(dir, 'poison.db'), options];
    let launches = 0;
    let final: { runtimeStatus: string; output: unknown } | undefined;
    while (launches < 10 && final === undefined) {
      const host = await launchProcess(args, dir, errors);
      launches++;
      const alive = (): boolean => host.child.exitCode === null && host.child.signalCode === null;
      try {
        if (launches === 1) {
          const res = await fetch(`${host.baseUrl}${API}/orchestrators/${orchestrator}/${instanceId}`, {
            method: 'POST',
          });
          expect(res.status).toBe(202);
          await res.arrayBuffer();
        }
        // Either the instance kills this process, or it finishes.
        for (let poll = 0; poll < 200 && final === undefined && alive(); poll++) {
          const res = await fetch(`${host.baseUrl}${API}/instances/${instanceId}`).catch(() => undefined);
          const body = res ? ((await res.json()) as { runtimeStatus: string; output: unknown }) : undefined;
          if (body && ['Completed', 'Failed'].includes(body.runtimeStatus)) final = body;
          else await sleep(25);
        }
      } finally {
        if (alive()) host.child.kill('SIGTERM');
        await host.exited;
      }
    }
    return { status: final, launches };
  }

  test('an activity that kills the worker is counted across restarts, then fails its task instead of killing the host forever', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does).`);
    const { status, launches } = await runUntilFinished('KillsWorker', 'doomed');
    expect(status).toMatchObject({
      runtimeStatus: 'Completed',
      output: {
        failed:
          "Activity function 'KillWorker' failed: the invocation crashed or timed out 3 times; the work item is poisoned and not tried again",
      },
    });
    // Three attempts killed three processes; the fourth launch failed the task without running it.
    expect(launches).toBe(4);
    const effects = new Database(path.join(dir, 'effects.db'), { readonly: true });
    try {
      expect(effects.prepare(`SELECT runs FROM effects WHERE instance_id = 'doomed'`).get()).toEqual({
        runs: 3,
      });
    } finally {
      effects.close();
    }
  }, 60_000);

  test('an orchestrator whose episodes kill the worker is failed as poisoned after the allowed attempts', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does).`);
    const { status, launches } = await runUntilFinished('KillsInEpisode', 'doomed-episode');
    expect(status).toMatchObject({
      runtimeStatus: 'Failed',
      output:
        "Orchestrator function 'KillsInEpisode' failed: Its episode crashed the worker 3 times; the instance is failed as poisoned instead of being replayed again.",
    });
    expect(launches).toBe(4);
  }, 60_000);
});
