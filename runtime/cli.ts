#!/usr/bin/env node
/**
 * `npm start`: runs the local Functions host on an app folder.
 *
 *   node dist/runtime/cli.js [--app DIR] [--port N] [--data-dir D] [--hostname H] [--link LABEL=PATH] [--hint TEXT]
 *
 * PORT and CARDFLOW_DATA_DIR are read when the flags are absent. Stops cleanly on SIGTERM / SIGINT.
 */
import { availableParallelism, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import path from 'node:path';
import { DEFAULT_DATA_DIR, DEFAULT_PORT, ListenError, startHost, type Host } from './host';
import { MAX_WORKERS } from './worker/workerCount';
import type { LogFields } from './contracts';
import { consoleLogger, logFormatFrom, writeErr, writeOut } from './logger';
import { AppLoadError } from './worker/loadApp';

export interface CliOptions {
  appRoot: string;
  port: number;
  dataDir: string;
  hostname: string;
  /** Pages of the app the banner points to, e.g. `{ label: 'Dashboard', path: '/api/dashboard/' }`. */
  links: Array<{ label: string; path: string }>;
  /** What to try next, printed last (e.g. a command to run in another terminal). */
  hints: string[];
}

export class UsageError extends Error {}

const USAGE = `Usage: cli [--app DIR] [--port N] [--data-dir D] [--hostname H]
  --app DIR        the Functions app folder (package.json "main", host.json); default: current folder
  --port N         HTTP port (env PORT); default ${DEFAULT_PORT}; 0 picks a free port
  --data-dir D     folder of the SQLite database (env CARDFLOW_DATA_DIR); default ${DEFAULT_DATA_DIR}
  --hostname H     interface to listen on; default 127.0.0.1 (0.0.0.0: every interface)
  --link L=PATH    print L's URL (the host's URL + PATH) after start; repeatable
  --hint TEXT      print TEXT as what to try next after start; repeatable`;

/** Parses flags (`--flag value` or `--flag=value`) over the environment's defaults. */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): CliOptions {
  const flags = new Map<string, string>();
  const links: CliOptions['links'] = [];
  const hints: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--(app|port|data-dir|hostname|link|hint)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new UsageError(`Unknown argument "${arg}".`);
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === '') throw new UsageError(`--${m[1]} needs a value.`);
    if (m[1] === 'link') links.push(parseLink(value));
    else if (m[1] === 'hint') hints.push(value);
    else flags.set(m[1], value);
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
    links,
    hints,
  };
}

function parseLink(value: string): { label: string; path: string } {
  const m = /^([^=]+)=(\/.*)$/.exec(value);
  if (!m) throw new UsageError(`--link takes LABEL=/path (e.g. Dashboard=/api/dashboard/), not "${value}".`);
  return { label: m[1].trim(), path: m[2] };
}

/** Whether `hostname` means every interface of the machine. */
function isWildcard(hostname: string): boolean {
  return hostname === '0.0.0.0' || hostname === '::' || hostname === '[::]';
}

/**
 * The addresses other machines reach a host listening on every interface at: the machine's
 * external IPv4 addresses (and IPv6 ones when it listens on `::`).
 */
export function reachableAddresses(
  hostname: string,
  port: number,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  if (!isWildcard(hostname)) return [];
  const urls: string[] = [];
  for (const infos of Object.values(interfaces))
    for (const info of infos ?? []) {
      if (info.internal) continue;
      if (info.family === 'IPv4') urls.push(`http://${info.address}:${port}`);
      else if (hostname !== '0.0.0.0' && !info.address.startsWith('fe80'))
        urls.push(`http://[${info.address}]:${port}`);
    }
  return urls;
}

/** The lines the CLI prints once the host listens, the listening URL first. */
export function describeBanner(
  host: Pick<Host, 'baseUrl' | 'port'>,
  options: Pick<CliOptions, 'dataDir' | 'hostname' | 'links' | 'hints'>,
  interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>,
): string[] {
  const lines: string[] = [];
  const others = reachableAddresses(options.hostname, host.port, interfaces);
  if (isWildcard(options.hostname))
    lines.push(
      others.length > 0
        ? `Listening on every interface: from other machines ${others.join(', ')}`
        : 'Listening on every interface (this machine has no external address).',
    );
  lines.push(`Host listening on ${host.baseUrl} (data: ${options.dataDir})`);
  for (const link of options.links) lines.push(`${link.label}: ${host.baseUrl}${link.path}`);
  for (const hint of options.hints) lines.push(`Next: ${hint}`);
  return lines;
}

/** What the CLI says when the host cannot listen: the reason, then what to do. */
export function describeListenError(err: ListenError): string {
  const next = err.port === DEFAULT_PORT ? DEFAULT_PORT + 1 : err.port + 1;
  if (err.code === 'EADDRINUSE')
    return (
      `${err.message} Stop the other one (is an earlier npm start still running?), or start on ` +
      `another port: npm start -- --port ${next} (or PORT=${next}; --port 0 picks a free one).`
    );
  if (err.code === 'EACCES')
    return `${err.message} Pick a port above 1023: npm start -- --port ${DEFAULT_PORT}.`;
  if (err.code === 'EADDRNOTAVAIL')
    return `${err.message} Use --hostname 127.0.0.1 (this machine) or --hostname 0.0.0.0 (every interface).`;
  return err.message;
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
    writeErr(`${err.message}\n${USAGE}\n`);
    process.exit(2);
  }

  const format = logFormatFrom();
  const log = consoleLogger(format);
  // The CLI's own lines: as they always were in a terminal, one JSON record each with LOG_FORMAT=json.
  const say = (text: string, fields?: LogFields): void => {
    if (format === 'json') log.info(text, fields);
    else writeOut(`${text}\n`);
  };
  const complain = (text: string): void => {
    if (format === 'json') log.error(text);
    else writeErr(`${text}\n`);
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
      workers: defaultWorkerCount(),
    });
  } catch (err) {
    // A load error is the user's to fix and says how; anything else is a bug whose stack helps.
    const reason =
      err instanceof ListenError
        ? describeListenError(err)
        : err instanceof AppLoadError
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
  else writeOut(`\n${describeFunctions(host)}\n`);
  for (const line of describeBanner(host, options))
    say(line, { baseUrl: host.baseUrl, dataDir: options.dataDir });

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
    writeErr(`The host crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

/**
 * The app's worker threads when `FUNCTIONS_WORKER_PROCESS_COUNT` does not say: one per core but the
 * one the host's own thread needs (it serves HTTP, owns the database and dispatches all work, and
 * is the busiest thread). On two cores that is 1, the app in the host's thread: two workers there
 * measured 30-40 % slower (runtime/README.md, "Worker threads").
 */
export function defaultWorkerCount(cores = availableParallelism()): number {
  return Math.max(1, Math.min(MAX_WORKERS, cores - 1));
}
