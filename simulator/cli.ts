/**
 * `npm run simulate -- --scenario NAME [--url http://localhost:7071] [--transfers N --accounts M]`
 *
 * Drives a running Cardflow host over HTTP only, prints a summary, and exits 1 when an expectation
 * or an invariant is broken or no host answers at the URL (2 on bad usage, 0 for `--help`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CardflowApi, httpDriver } from './api';
import { runScenario, SCENARIOS, type ScenarioResult } from './scenarios';
import { SimUsers } from './users';

export const USAGE = `usage: npm run simulate -- --scenario NAME [--url URL] [--transfers N] [--accounts M] [--concurrency C] [--timeout-ms T]
scenarios: ${Object.keys(SCENARIOS).join(', ')}
  --url          the host (default http://localhost:7071, or $CARDFLOW_URL)
  --transfers    load: how many transfers (default 200)
  --accounts     load: between how many accounts (default 10)
  --concurrency  load: requests in flight (default 16)
  --timeout-ms   how long to wait for each expected state (default 30000)
  --users        the users file the host authenticates (default auth.local.json, else
                 auth.local.example.json, as the host picks; or $CARDFLOW_AUTH_FILE): the
                 simulator acts as its customers, its approver and its operator
  --help, -h     this text
'expired' waits for the host's approval deadline: start the host with a short APPROVAL_TIMEOUT (e.g. PT10S).`;

/** Whether the command line asks for the usage (anywhere, whatever else it says). */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === '--help' || arg === '-h');
}

/**
 * Undefined when something answers HTTP at `baseUrl` (any status: the scenario tells the rest);
 * else what to do about it. Asks the open liveness route, with a short timeout.
 */
export async function probeHost(baseUrl: string, timeoutMs = 3_000): Promise<string | undefined> {
  const url = `${baseUrl.replace(/\/$/, '')}/api/health/live`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return undefined;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return `no host at ${baseUrl} (${cause}): start one with npm start, or pass --url`;
  }
}

export interface CliArgs {
  scenario: string;
  url: string;
  transfers: number;
  accounts: number;
  concurrency: number;
  timeoutMs: number;
  /** The users file; undefined: the one the host would pick. */
  users?: string;
}

/** Parses the flags; throws a usage error message on anything wrong. */
export function parseArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): CliArgs {
  const args: CliArgs = {
    scenario: '',
    url: env.CARDFLOW_URL ?? 'http://localhost:7071',
    transfers: 200,
    accounts: 10,
    concurrency: 16,
    timeoutMs: 30_000,
  };
  const positive = (flag: string, text: string | undefined, min = 1) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`${flag} needs an integer >= ${min}, got ${JSON.stringify(text)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case '--scenario':
        args.scenario = value ?? '';
        break;
      case '--url':
        if (!value || !/^https?:\/\//.test(value))
          throw new Error(`--url needs an http(s) URL, got ${JSON.stringify(value)}`);
        args.url = value;
        break;
      case '--transfers':
        args.transfers = positive(flag, value);
        break;
      case '--accounts':
        args.accounts = positive(flag, value, 2);
        break;
      case '--concurrency':
        args.concurrency = positive(flag, value);
        break;
      case '--users':
        if (!value) throw new Error('--users needs a users file');
        args.users = value;
        break;
      case '--timeout-ms':
        args.timeoutMs = positive(flag, value);
        break;
      default:
        throw new Error(`unknown flag ${flag}`);
    }
    i++;
  }
  if (!SCENARIOS[args.scenario])
    throw new Error(args.scenario ? `unknown scenario '${args.scenario}'` : 'a --scenario is required');
  return args;
}

/** The users file the host picks by default (CARDFLOW_AUTH_FILE, auth.local.json, the example). */
export function defaultUsersFile(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  const candidates = [env.CARDFLOW_AUTH_FILE, 'auth.local.json', 'auth.local.example.json'].filter(
    (file): file is string => !!file,
  );
  return candidates.map((file) => path.resolve(file)).find((file) => existsSync(file));
}

/** A run id unique enough for ids on a long-lived host: `sim-` + base-36 time + random. */
export function newRunId(): string {
  return `sim-${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
}

/**
 * Draws the progress bar on `stream` when it is a terminal (each frame over the last, `\r`); piped
 * or redirected output gets no frames. Undefined when there is nothing to draw on.
 */
export function progressReporter(stream: {
  isTTY?: boolean;
  write(text: string): unknown;
}): ((done: number, total: number) => void) | undefined {
  if (!stream.isTTY) return undefined;
  return (done, total) => {
    stream.write(`\r${progressBar(done, total)}${done === total ? '\n' : ''}`);
  };
}

export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

export function formatResult(result: ScenarioResult): string[] {
  const lines = [
    `scenario ${result.scenario}: ${result.violations.length === 0 ? 'OK' : 'FAILED'}`,
    ...result.summary.map((s) => `  ${s}`),
  ];
  for (const violation of result.violations) lines.push(`  ✗ ${violation}`);
  return lines;
}

/** Where the command writes: standard output, standard error (and whether that is a terminal). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  progress: { isTTY?: boolean; write(text: string): unknown };
}

/** The whole command; resolves with its exit status. */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo,
): Promise<number> {
  if (wantsHelp(argv)) {
    io.out(USAGE);
    return 0;
  }
  let args: CliArgs;
  try {
    args = parseArgs(argv, env);
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const usersFile = args.users ?? defaultUsersFile(env);
  if (!usersFile) {
    io.err(
      'no users file: pass --users FILE (the users the host authenticates, as in auth.local.example.json)',
    );
    return 2;
  }
  const missing = await probeHost(args.url);
  if (missing) {
    io.err(missing);
    return 1;
  }
  // Reads of a transfer wait on the host (Prefer: wait) rather than poll it.
  const api = new CardflowApi(httpDriver(args.url, 50, 10), SimUsers.fromFile(usersFile));
  const runId = newRunId();
  io.out(`simulating '${args.scenario}' against ${args.url} (run ${runId})`);
  const result = await runScenario(api, args.scenario, {
    runId,
    transfers: args.transfers,
    accounts: args.accounts,
    concurrency: args.concurrency,
    timeoutMs: args.timeoutMs,
    out: io.out,
    progress: progressReporter(io.progress),
  });
  for (const line of formatResult(result)) io.out(line);
  return result.violations.length === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  return runCli(process.argv.slice(2), process.env, {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    progress: process.stderr,
  });
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
