#!/usr/bin/env node
/**
 * `npm start`: runs the local Functions host on an app folder.
 *
 *   node dist/runtime/cli.js [--app DIR] [--port N] [--data-dir D] [--hostname H]
 *
 * PORT and CARDFLOW_DATA_DIR are read when the flags are absent. Stops cleanly on SIGTERM / SIGINT.
 */
import path from 'node:path';
import { DEFAULT_DATA_DIR, DEFAULT_PORT, startHost, type Host } from './host';
import { consoleLogger } from './logger';
import { AppLoadError } from './worker/loadApp';

export interface CliOptions {
  appRoot: string;
  port: number;
  dataDir: string;
  hostname: string;
}

export class UsageError extends Error {}

const USAGE = `Usage: cli [--app DIR] [--port N] [--data-dir D] [--hostname H]
  --app DIR        the Functions app folder (package.json "main", host.json); default: current folder
  --port N         HTTP port (env PORT); default ${DEFAULT_PORT}; 0 picks a free port
  --data-dir D     folder of the SQLite database (env CARDFLOW_DATA_DIR); default ${DEFAULT_DATA_DIR}
  --hostname H     interface to listen on; default 127.0.0.1`;

/** Parses flags (`--flag value` or `--flag=value`) over the environment's defaults. */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): CliOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--(app|port|data-dir|hostname)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`Unknown argument "${arg}".`);
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === '') throw new UsageError(`--${m[1]} needs a value.`);
    flags.set(m[1], value);
  }
  const portText = flags.get('port') ?? env.PORT ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    throw new UsageError(`The port must be a number from 0 to 65535, not "${portText}".`);
  const appRoot = path.resolve(cwd, flags.get('app') ?? '.');
  return {
    appRoot,
    port,
    // An explicit folder is relative to where the command runs; the default sits in the app.
    dataDir: path.resolve(
      cwd,
      flags.get('data-dir') ?? env.CARDFLOW_DATA_DIR ?? path.join(appRoot, DEFAULT_DATA_DIR),
    ),
    hostname: flags.get('hostname') ?? '127.0.0.1',
  };
}

/** The function list as Core Tools prints it after start. */
export function describeFunctions(host: Host): string {
  const lines = ['Functions:', ''];
  const http = new Map(host.httpFunctions.map((f) => [f.functionName, f]));
  for (const fn of host.registry.functions.values()) {
    const route = http.get(fn.name);
    if (route) lines.push(`\t${fn.name}: [${(route.methods ?? ['ALL']).join(',')}] ${route.url}`, '');
    else lines.push(`\t${fn.name}: ${fn.trigger.type}`, '');
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCliArgs(process.argv.slice(2), process.env, process.cwd());
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    process.exit(2);
  }

  let host: Host;
  try {
    host = await startHost({
      appRoot: options.appRoot,
      port: options.port,
      hostname: options.hostname,
      dataDir: options.dataDir,
      log: consoleLogger(),
      // The dashboard shows traces the host received; an OTLP endpoint or Application Insights set in the environment wins.
      traces: true,
    });
  } catch (err) {
    // A load error is the user's to fix and says how; anything else is a bug whose stack helps.
    const reason =
      err instanceof AppLoadError
        ? err.message
        : err instanceof Error
          ? (err.stack ?? err.message)
          : String(err);
    process.stderr.write(`The host could not start: ${reason}\n`);
    process.exit(1);
  }

  process.stdout.write(
    `\n${describeFunctions(host)}\nHost listening on ${host.baseUrl} (data: ${options.dataDir})\n`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without a clean stop.\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`${signal}: stopping the host...\n`);
    host.stop().then(
      () => {
        process.stdout.write('Host stopped.\n');
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`The host failed to stop cleanly: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(
      `The host crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}
