/**
 * `npm run simulate -- --scenario NAME [--url http://localhost:7071] [--transfers N --accounts M]`
 *
 * Drives a running Cardflow host over HTTP only, prints a summary, and exits 1 when an expectation
 * or an invariant is broken (2 on bad usage).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CardflowApi, httpDriver } from './api';
import { runScenario, SCENARIOS, type ScenarioResult } from './scenarios';
import { SimUsers } from './users';

const USAGE = `usage: npm run simulate -- --scenario NAME [--url URL] [--transfers N] [--accounts M] [--concurrency C] [--timeout-ms T]
scenarios: ${Object.keys(SCENARIOS).join(', ')}
  --url          the host (default http://localhost:7071, or $CARDFLOW_URL)
  --transfers    load: how many transfers (default 200)
  --accounts     load: between how many accounts (default 10)
  --concurrency  load: requests in flight (default 16)
  --timeout-ms   how long to wait for each expected state (default 30000)
  --users        the users file the host authenticates (default auth.local.json, else
                 auth.local.example.json, as the host picks; or $CARDFLOW_AUTH_FILE): the
                 simulator acts as its customers, its approver and its operator
'expired' waits for the host's approval deadline: start the host with a short APPROVAL_TIMEOUT (e.g. PT10S).`;

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

async function main(): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const usersFile = args.users ?? defaultUsersFile();
  if (!usersFile) {
    console.error(
      'no users file: pass --users FILE (the users the host authenticates, as in auth.local.example.json)',
    );
    return 2;
  }
  const api = new CardflowApi(httpDriver(args.url), SimUsers.fromFile(usersFile));
  const runId = newRunId();
  console.log(`simulating '${args.scenario}' against ${args.url} (run ${runId})`);
  const result = await runScenario(api, args.scenario, {
    runId,
    transfers: args.transfers,
    accounts: args.accounts,
    concurrency: args.concurrency,
    timeoutMs: args.timeoutMs,
    out: (line) => console.log(line),
    progress: (done, total) =>
      process.stderr.write(`\r${progressBar(done, total)}${done === total ? '\n' : ''}`),
  });
  for (const line of formatResult(result)) console.log(line);
  return result.violations.length === 0 ? 0 : 1;
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
