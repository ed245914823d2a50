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
import type { LogFields } from './contracts';
import { consoleLogger, logFormatFrom } from './logger';
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

  const format = logFormatFrom();
  const log = consoleLogger(format);
  // The CLI's own lines: as they always were in a terminal, one JSON record each with LOG_FORMAT=json.
  const say = (text: string, fields?: LogFields): void => {
    if (format === 'json') log.info(text, fields);
    else process.stdout.write(`${text}\n`);
  };
  const complain = (text: string): void => {
    if (format === 'json') log.error(text);
    else process.stderr.write(`${text}\n`);
  };

  let host: Host;
  try {
    host = await startHost({
      appRoot: options.appRoot,
      port: options.port,
      hostname: options.hostname,
      dataDir: options.dataDir,
      log,
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
    complain(`The host could not start: ${reason}`);
    process.exit(1);
  }

  if (format === 'json')
    for (const fn of host.registry.functions.values()) {
      const route = host.httpFunctions.find((f) => f.functionName === fn.name);
      log.info(`${fn.name}: ${route ? route.url : fn.trigger.type}`, {
        functionName: fn.name,
        trigger: fn.trigger.type,
        ...(route ? { url: route.url, methods: (route.methods ?? ['ALL']).join(',') } : {}),
      });
    }
  else process.stdout.write(`\n${describeFunctions(host)}\n`);
  say(`Host listening on ${host.baseUrl} (data: ${options.dataDir})`, {
    baseUrl: host.baseUrl,
    dataDir: options.dataDir,
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      complain(`${signal} again: exiting without a clean stop.`);
      process.exit(1);
    }
    stopping = true;
    say(`${signal}: stopping the host...`);
    host.stop().then(
      () => {
        say('Host stopped.');
        process.exit(0);
      },
      (err: unknown) => {
        complain(`The host failed to stop cleanly: ${String(err)}`);
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
