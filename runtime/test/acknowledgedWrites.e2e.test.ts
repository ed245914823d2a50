/**
 * Durable by default: an answer the host gave is on disk. The compiled host (`node dist/runtime/cli.js`)
 * is started on an on-disk database with its default durability, asked to start many orchestrations at
 * once over the Durable HTTP API, and killed with SIGKILL the moment the first answers arrive — while
 * the other starts are still being written. Every start it answered 202 must be there after a restart;
 * and a bad durability setting is refused at start with a message naming it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CLI = path.resolve(__dirname, '../../dist/runtime/cli.js');
const APP = path.resolve(__dirname, '../durable/test/fixtures/crash-app');
const API = '/runtime/webhooks/durabletask';
// Many more than one group commit answers at once (it answers all the starts of one moment), so
// the kill after the first answers still cuts work short.
const STARTS = 300;

// Two host starts and a burst of starts: a minute on a loaded 2-core machine, seconds on an idle one.
jest.setTimeout(90_000);

interface Launched {
  child: ChildProcess;
  baseUrl: string;
  exited: Promise<void>;
}

function launch(dir: string): Promise<Launched> {
  const child = spawn(
    process.execPath,
    [CLI, '--app', APP, '--data-dir', path.join(dir, 'data'), '--port', '0'],
    {
      env: {
        ...process.env,
        CRASH_EFFECTS_DB: path.join(dir, 'effects.db'),
        LOCAL_HOST_SQLITE_SYNCHRONOUS: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`host did not start: ${seen}`)), 20_000);
    child.stderr?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/i.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve({ child, baseUrl: match[1].replace(/\/$/, ''), exited });
      }
    });
    child.once('exit', (code) => reject(new Error(`host exited (${code}) before listening: ${seen}`)));
  });
}

/** Starts `crash-<i>` and reports the status line the moment it arrives (before the body). */
function start(baseUrl: string, i: number, onStatus: (status: number) => void): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(
      `${baseUrl}${API}/orchestrators/Crunch/ack-${i}`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false },
      (res) => {
        onStatus(res.statusCode ?? 0);
        res.resume();
        res.on('end', resolve);
        res.on('error', () => resolve());
      },
    );
    req.on('error', () => resolve());
    req.end(JSON.stringify(i));
  });
}

describe('an acknowledged write survives a SIGKILL', () => {
  let dir: string;
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does).`);
    dir = mkdtempSync(path.join(tmpdir(), 'acknowledged-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every start answered 202 before the kill is there after a restart', async () => {
    const host = await launch(dir);
    const acknowledged: number[] = [];
    await Promise.all(
      Array.from({ length: STARTS }, (_, i) =>
        start(host.baseUrl, i, (status) => {
          if (status !== 202) return;
          acknowledged.push(i);
          // Killed at once, synchronously: the starts not yet answered are still being written.
          if (acknowledged.length === 10) host.child.kill('SIGKILL');
        }),
      ),
    );
    await host.exited;
    // The kill cut work short (else the test would prove nothing), and answers did arrive.
    expect(acknowledged.length).toBeGreaterThanOrEqual(10);
    expect(acknowledged.length).toBeLessThan(STARTS);

    const again = await launch(dir);
    try {
      // One look at every instance the restarted host knows (the restarted work runs meanwhile).
      const listed = await fetch(`${again.baseUrl}${API}/instances?top=1000&showInput=false`);
      const known = new Set(
        ((await listed.json()) as Array<{ instanceId: string }>).map((i) => i.instanceId),
      );
      const missing = acknowledged.filter((i) => !known.has(`ack-${i}`));
      expect(missing).toEqual([]);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });

  test('a durability setting the host does not know is refused at start, naming it', () => {
    const run = spawnSync(
      process.execPath,
      [CLI, '--app', APP, '--data-dir', path.join(dir, 'bad'), '--port', '0'],
      {
        env: { ...process.env, LOCAL_HOST_SQLITE_SYNCHRONOUS: 'sometimes' },
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(
      /LOCAL_HOST_SQLITE_SYNCHRONOUS must be FULL \(the default\) or NORMAL/,
    );
  });
});
