/**
 * The local host in a process of its own, started as `npm start` starts it (`node
 * dist/runtime/cli.js` in the app's folder, its settings from there and the environment), on a
 * free port and a data folder of the caller's; with what the benchmarks read of it from outside:
 * its CPU time and its resident set (Linux `/proc`).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface HostProcess {
  readonly baseUrl: string;
  readonly pid: number;
  /** User + system CPU time the host process has used so far, ms. */
  cpuMs(): number;
  /** The host process's resident set now, bytes (undefined where /proc is not there). */
  rssBytes(): number | undefined;
  /** SIGTERM, then waits for the exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
}

const LISTENING = /Host listening on (http:\/\/\S+)/;

export async function startHostProcess(options: {
  appRoot: string;
  dataDir: string;
  env?: Record<string, string>;
  /** Where the host writes a CPU profile (`node --cpu-prof`) when it exits; none when undefined. */
  cpuProfileDir?: string;
}): Promise<HostProcess> {
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawn(
    process.execPath,
    [
      ...profile,
      path.join(options.appRoot, 'dist/runtime/cli.js'),
      '--port',
      '0',
      '--data-dir',
      options.dataDir,
    ],
    { cwd: options.appRoot, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the host did not start in 60 s:\n${output}`)), 60_000);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const listening = LISTENING.exec(output);
      if (!listening) return;
      clearTimeout(timer);
      resolve(listening[1].replace(/\/$/, ''));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the host exited (${signal ?? code}) before it listened:\n${output}`));
    });
  });
  let baseUrl: string;
  try {
    baseUrl = await listening;
  } catch (error) {
    child.kill('SIGKILL'); // not left running without the benchmark
    throw error;
  }
  // From here on its output is not kept (a long run would grow it), but errors still show.
  child.stdout.removeAllListeners('data').resume();
  child.stderr.removeAllListeners('data').on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const pid = child.pid!;
  const clockTicksPerSecond = 100; // USER_HZ: 100 on every Linux Node runs on
  return {
    baseUrl,
    pid,
    cpuMs: () => {
      // /proc/<pid>/stat: fields 14 and 15 (utime, stime) in clock ticks, after the ")" of the name.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
    },
    rssBytes: () => {
      try {
        const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return rss ? Number(rss[1]) * 1024 : undefined;
      } catch {
        return undefined;
      }
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
