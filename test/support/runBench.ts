/** Runs a compiled benchmark (`dist/bench/<name>.js`) in a process of its own: its exit code and everything it printed. */
import { spawn } from 'node:child_process';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');

export async function runBench(
  name: string,
  args: readonly string[],
): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [path.join(REPO, `dist/bench/${name}.js`), ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, out };
}
