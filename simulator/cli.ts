/**
 * `npm run simulate -- --scenario NAME [--url http://localhost:7071] [--users FILE] [--transfers N --accounts M]`
 * `npm run simulate -- --write-users FILE [--customers N]`
 *
 * Drives a running Cardflow host over HTTP only, as the users of the host's users file, prints a
 * summary, and exits 1 when an expectation or an invariant is broken (2 on bad usage).
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CardflowApi, httpDriver } from './api';
import { customersNeeded, runScenario, SCENARIOS, type ScenarioResult } from './scenarios';
import {
  appRootFrom,
  castFrom,
  generateUsers,
  hostUsersFile,
  notEnoughCustomers,
  readUsersFile,
  usersFileText,
  type Cast,
} from './users';

const USAGE = `usage: npm run simulate -- --scenario NAME [--url URL] [--users FILE] [--transfers N] [--accounts M] [--concurrency C] [--timeout-ms T]
       npm run simulate -- --write-users FILE [--customers N]
scenarios: ${Object.keys(SCENARIOS).join(', ')}
  --url          the host (default http://localhost:7071, or $CARDFLOW_URL)
  --users        the users file the host authenticates, whose customers, approver and operator the
                 simulator acts as (default: the one npm start's host reads: $CARDFLOW_AUTH_FILE,
                 else auth.local.json, else auth.local.example.json in the app folder)
  --transfers    load: how many transfers (default 200)
  --accounts     load: between how many accounts (default 10), each its own customer's
  --concurrency  load: requests in flight (default 16)
  --timeout-ms   how long to wait for each expected state (default 30000)
  --write-users  writes a users file with --customers N customers (default 20), an approver, an
                 operator and a checker (customer and approver); give it to the host
                 (CARDFLOW_AUTH_FILE=FILE npm start) and to the simulator (--users FILE)
'expired' waits for the host's approval deadline: start the host with a short APPROVAL_TIMEOUT (e.g. PT10S).`;

export interface CliArgs {
  scenario: string;
  url: string;
  transfers: number;
  accounts: number;
  concurrency: number;
  timeoutMs: number;
  /** The users file to act as; undefined: the one the host reads. */
  users?: string;
  /** Write a users file there instead of running a scenario. */
  writeUsers?: string;
  /** How many customers `--write-users` makes. */
  customers: number;
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
    customers: 20,
  };
  const positive = (flag: string, text: string | undefined, min = 1) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`${flag} needs an integer >= ${min}, got ${JSON.stringify(text)}`);
    return n;
  };
  const file = (flag: string, text: string | undefined) => {
    if (!text || text.startsWith('--')) throw new Error(`${flag} needs a file`);
    return text;
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
      case '--users':
        args.users = file(flag, value);
        break;
      case '--write-users':
        args.writeUsers = file(flag, value);
        break;
      case '--customers':
        args.customers = positive(flag, value, 2);
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
      case '--timeout-ms':
        args.timeoutMs = positive(flag, value);
        break;
      default:
        throw new Error(`unknown flag ${flag}`);
    }
    i++;
  }
  if (args.writeUsers !== undefined) return args;
  if (!SCENARIOS[args.scenario])
    throw new Error(args.scenario ? `unknown scenario '${args.scenario}'` : 'a --scenario is required');
  return args;
}

/** The users to act as: the given file, else the one the host at the app folder reads. */
export function castFor(
  args: Pick<CliArgs, 'users'>,
  env: Readonly<Record<string, string | undefined>> = process.env,
  appRoot: string = appRootFrom(__dirname),
): Cast {
  const file = args.users ? path.resolve(args.users) : hostUsersFile(appRoot, env);
  return castFrom(readUsersFile(file), file);
}

/** Writes a generated users file (never over an existing one) and says how to use it. */
export function writeUsersFile(file: string, customers: number): string[] {
  const target = path.resolve(file);
  if (existsSync(target))
    throw new Error(`${target} exists; not overwriting it (remove it, or name another file)`);
  const users = generateUsers('sim', customers);
  // Tokens are credentials on the local host: only the owner reads them.
  writeFileSync(target, usersFileText(users), { mode: 0o600 });
  return [
    `wrote ${target}: ${customers} customers, an approver, an operator and a checker (customer and approver)`,
    `start the host with it: CARDFLOW_AUTH_FILE=${target} npm start (or name it auth.local.json in the app folder)`,
    `then: npm run simulate -- --users ${target} --scenario load --accounts ${customers}`,
  ];
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
  if (args.writeUsers !== undefined) {
    try {
      for (const line of writeUsersFile(args.writeUsers, args.customers)) console.log(line);
      return 0;
    } catch (error) {
      console.error((error as Error).message);
      return 2;
    }
  }
  let cast: Cast;
  try {
    cast = castFor(args);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const short = notEnoughCustomers(cast, customersNeeded(args.scenario, args), args.scenario);
  if (short) {
    console.error(short);
    return 2;
  }
  const api = new CardflowApi(httpDriver(args.url));
  const runId = newRunId();
  console.log(
    `simulating '${args.scenario}' against ${args.url} as the users of ${cast.source} (run ${runId})`,
  );
  const result = await runScenario(api, args.scenario, {
    runId,
    cast,
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
