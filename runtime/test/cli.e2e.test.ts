/**
 * The CLI as users run it: the compiled dist/runtime/cli.js in a child process (`npm test` builds
 * first; this suite builds when dist is missing or older than the runtime sources).
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'dist/runtime/cli.js');
const fixture = (name: string): string => path.join(__dirname, 'fixtures', name);

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'test' && entry.name !== 'fixtures') newest = Math.max(newest, newestSource(full));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}

beforeAll(() => {
  if (!existsSync(CLI) || statSync(CLI).mtimeMs < newestSource(path.join(REPO, 'runtime'))) {
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'pipe' });
    } catch {
      // Type errors elsewhere in the tree do not stop tsc from emitting; the check below is what matters.
    }
  }
  expect(existsSync(CLI)).toBe(true);
}, 180_000);

interface Run {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitForOutput(run: Run, pattern: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 1000; i++) {
    const m = pattern.exec(run.stdout());
    if (m) return m;
    if (run.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no ${pattern} in output:\n${run.stdout()}\n${run.stderr()}`);
}

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'runtime-cli-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

test('starts the app on a free port, lists its functions, serves them, and stops on SIGTERM', async () => {
  const run = runCli(['--app', fixture('http-app'), '--port', '0', '--data-dir', dataDir]);
  try {
    const [, baseUrl] = await waitForOutput(run, /Host listening on (http:\/\/127\.0\.0\.1:\d+)/);
    expect(run.stdout()).toContain(`hello: [GET,POST] ${baseUrl}/api/hello`);
    expect(run.stdout()).toContain(`echo: [GET,POST,PUT] ${baseUrl}/api/echo/{category:alpha}/{id:int?}`);

    const res = await fetch(`${baseUrl}/api/hello?name=CLI`);
    expect(await res.text()).toBe('Hello, CLI!');
    await waitForOutput(run, /Executed 'Functions\.hello' \(Succeeded, Id=[0-9a-f-]+, Duration=\d+ms\)/);
    expect(existsSync(path.join(dataDir, 'cardflow.db'))).toBe(true);

    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toContain('Host stopped.');
    await expect(fetch(`${baseUrl}/api/hello`)).rejects.toThrow();
  } finally {
    run.child.kill('SIGKILL');
  }
}, 30_000);

test('writes one JSON record per line with LOG_FORMAT=json, host.json levels applied', async () => {
  const run = runCli(['--app', fixture('logging-app'), '--port', '0', '--data-dir', dataDir], {
    LOG_FORMAT: 'json',
  });
  try {
    const [, baseUrl] = await waitForOutput(run, /Host listening on (http:\/\/127\.0\.0\.1:\d+)/);
    expect((await fetch(`${baseUrl}/api/plain`)).status).toBe(200);
    await waitForOutput(run, /Executed 'Functions\.plain'/);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    const records = [run.stdout(), run.stderr()]
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.every((r) => typeof r.time === 'string' && typeof r.level === 'string')).toBe(true);
    expect(records).toContainEqual(
      expect.objectContaining({ functionName: 'plain', url: `${baseUrl}/api/plain` }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({
        message: 'plain: structured',
        transferId: 'tr-1',
        category: 'Function.plain.User',
      }),
    );
    expect(records).toContainEqual(expect.objectContaining({ message: 'Host stopped.' }));
    expect(records.some((r) => String(r.message).includes('plain: debug'))).toBe(false);
  } finally {
    run.child.kill('SIGKILL');
  }
}, 30_000);

test('takes the port from PORT and stops on SIGINT too', async () => {
  const run = runCli(['--app', fixture('prefix-app'), '--data-dir', dataDir], { PORT: '0' });
  try {
    const [, baseUrl] = await waitForOutput(run, /Host listening on (http:\/\/127\.0\.0\.1:\d+)/);
    expect((await fetch(`${baseUrl}/v1/edge/status`)).status).toBe(200);
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
  } finally {
    run.child.kill('SIGKILL');
  }
}, 30_000);

test('exits non-zero with a clear message when the app’s main file is missing', async () => {
  const run = runCli(['--app', fixture('missing-main-app'), '--port', '0', '--data-dir', dataDir]);
  expect(await run.exit).toBe(1);
  expect(run.stderr()).toContain('The host could not start');
  expect(run.stderr()).toContain('dist/not-built-yet.js (package.json "main") does not exist');
}, 30_000);

test('refuses an app that turns on HTTP streaming', async () => {
  const run = runCli(['--app', fixture('streaming-app'), '--port', '0', '--data-dir', dataDir]);
  expect(await run.exit).toBe(1);
  expect(run.stderr()).toContain('HTTP streaming');
}, 30_000);

test('exits with usage on an unknown flag or a bad port', async () => {
  const unknown = runCli(['--verbose']);
  expect(await unknown.exit).toBe(2);
  expect(unknown.stderr()).toContain('Unknown argument "--verbose"');
  expect(unknown.stderr()).toContain('Usage:');
  const badPort = runCli(['--port', 'eighty']);
  expect(await badPort.exit).toBe(2);
  expect(badPort.stderr()).toContain('The port must be a number');
}, 30_000);

test('a busy port: says which, and what to do, without a stack', async () => {
  const { createServer } = await import('node:net');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as import('node:net').AddressInfo).port;
  try {
    const run = runCli(['--app', fixture('http-app'), '--port', String(port), '--data-dir', dataDir]);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toContain(
      `The host could not start: Port ${port} on 127.0.0.1 is already in use (EADDRINUSE)`,
    );
    expect(run.stderr()).toContain(`npm start -- --port ${port + 1}`);
    expect(run.stderr()).not.toMatch(/^\s+at /m);
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
}, 30_000);

test('the banner ends with the listening URL, the links and what to try next', async () => {
  const run = runCli([
    '--app',
    fixture('http-app'),
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--link',
    'Greeting=/api/hello',
    '--hint',
    'curl the greeting',
  ]);
  try {
    const [, baseUrl] = await waitForOutput(run, /Host listening on (http:\/\/127\.0\.0\.1:\d+).*\n.*\n.*\n/);
    const tail = run.stdout().slice(run.stdout().indexOf('Host listening on')).split('\n').slice(0, 3);
    expect(tail).toEqual([
      `Host listening on ${baseUrl} (data: ${dataDir})`,
      `Greeting: ${baseUrl}/api/hello`,
      'Next: curl the greeting',
    ]);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  } finally {
    run.child.kill('SIGKILL');
  }
}, 30_000);
