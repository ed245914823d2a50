#!/usr/bin/env node
/**
 * The build step of `npm start` and `npm run dev`: TypeScript's build mode (`tsc -b`) over the host
 * and app (`tsconfig.build.json`) and the dashboard (`web/tsconfig.json`). Build mode keeps a
 * `.tsbuildinfo` per project and compares the inputs with the outputs: with nothing changed it
 * emits nothing and takes about a second; a change rebuilds that project incrementally.
 *
 *   node scripts/build.mjs [--watch] [tsconfig ...]
 *
 * Prints one line per project ("up to date" or "built", with the reason tsc gives) and tsc's
 * diagnostics; exits with tsc's status. `--watch` hands over to `tsc -b --watch`.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_PROJECTS = ['tsconfig.build.json', 'web/tsconfig.json'];

/**
 * Reads `tsc -b --verbose` output: what it did with each project, and every other line (the
 * diagnostics) as is.
 *
 * @returns {{ projects: Map<string, { state: 'up to date' | 'built', reason: string }>, other: string[] }}
 */
export function readVerboseBuild(output) {
  const projects = new Map();
  const other = [];
  for (const line of output.split(/\r?\n/)) {
    // e.g. "3:28:11 AM - Project 'tsconfig.build.json' is up to date because newest input ..."
    const status = / - Project '([^']+)' is (up to date|out of date)(?: because (.*))?$/.exec(line);
    const building = / - Building project '([^']+)'\.\.\.$/.exec(line);
    if (status) {
      projects.set(status[1], {
        state: status[2] === 'up to date' ? 'up to date' : 'built',
        reason: status[3] ?? '',
      });
    } else if (building) {
      const name = path.relative(process.cwd(), building[1]) || building[1];
      if (!projects.has(name)) projects.set(name, { state: 'built', reason: '' });
    } else if (!/ - Projects in this build: $/.test(line) && !/^\s+\* /.test(line) && line.trim() !== '') {
      other.push(line);
    }
  }
  return { projects, other };
}

/** Runs `tsc -b` on `projects`; resolves with its exit status, its report and the time it took. */
export function build(projects = DEFAULT_PROJECTS, { cwd = ROOT } = {}) {
  const tsc = createRequire(path.join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-b', '--verbose', ...projects], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (data) => (output += data));
    child.stderr.on('data', (data) => (output += data));
    child.on('error', reject);
    child.on('close', (status) => {
      const ms = Math.round(performance.now() - started);
      resolve({ status: status ?? 1, ms, ...readVerboseBuild(output) });
    });
  });
}

async function main() {
  const args = process.argv.slice(2);
  const watch = args.includes('--watch');
  const projects = args.filter((a) => a !== '--watch');
  const result = await build(projects.length > 0 ? projects : DEFAULT_PROJECTS, { cwd: process.cwd() });
  for (const line of result.other) process.stdout.write(`${line}\n`);
  for (const [name, { state, reason }] of result.projects)
    process.stdout.write(`Build: ${name} ${state}${state === 'built' && reason ? ` (${reason})` : ''}\n`);
  process.stdout.write(
    `Build: ${result.status === 0 ? 'done' : 'failed'} in ${(result.ms / 1000).toFixed(1)} s\n`,
  );
  if (result.status !== 0) process.exit(result.status);
  if (watch) {
    const tsc = createRequire(path.join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
    const child = spawn(
      process.execPath,
      [tsc, '-b', '--watch', '--preserveWatchOutput', ...(projects.length > 0 ? projects : DEFAULT_PROJECTS)],
      { stdio: 'inherit' },
    );
    const stop = () => child.kill('SIGTERM');
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    child.on('close', (status) => process.exit(status ?? 0));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`The build could not run: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
