#!/usr/bin/env node
/**
 * `npm run dev`: the watch loop. Builds once (as `npm start` does), then runs side by side
 *
 * - `tsc -b --watch` over the host and app and the dashboard: a saved `.ts` file is compiled at once;
 * - the host under `node --watch`: when a file it loaded (the app's compiled code, the host's own)
 *   changes, Node stops it (SIGTERM: a clean stop) and starts it again, so the app is reloaded.
 *
 *   node scripts/dev.mjs [cli flags: --port N --data-dir D --hostname H ...]
 *
 * The app cannot be reloaded inside a running host (a module runs once per process and the
 * library's programming model is set once), hence a new process. Stops both on Ctrl+C.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, DEFAULT_PROJECTS } from './build.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main() {
  const first = await build(DEFAULT_PROJECTS, { cwd: ROOT });
  for (const line of first.other) process.stdout.write(`${line}\n`);
  process.stdout.write(
    `Build: ${first.status === 0 ? 'done' : 'failed'} in ${(first.ms / 1000).toFixed(1)} s\n`,
  );
  if (first.status !== 0) process.exit(first.status);

  const tsc = createRequire(path.join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  const children = [
    spawn(process.execPath, [tsc, '-b', '--watch', '--preserveWatchOutput', ...DEFAULT_PROJECTS], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
    spawn(
      process.execPath,
      [
        '--watch',
        '--watch-preserve-output',
        path.join(ROOT, 'dist/runtime/cli.js'),
        ...process.argv.slice(2),
      ],
      { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
    ),
  ];
  process.stdout.write(
    'Watching: TypeScript recompiles what you save; the host restarts when its compiled code changes. Ctrl+C stops both.\n',
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let running = children.length;
  for (const child of children)
    child.on('close', () => {
      running--;
      // One side ending on its own ends the loop: a watch without a host (or a host that no longer rebuilds) misleads.
      stop();
      if (running === 0) process.exit(0);
    });
}

main().catch((err) => {
  process.stderr.write(`npm run dev could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
