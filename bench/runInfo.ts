/**
 * What the host-process benchmarks share: whole-number flags and the line that says which machine
 * a run was measured on, with its load average at the start and at the end (the machines are shared).
 */
import os from 'node:os';

/** `--name N`, a positive whole number, else `fallback`. */
export function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** `machine: <cpu> × <cores>, <memory>, <os>, node <version>, load average at start …, at end …`. */
export function machineLine(loadAtStart: readonly number[]): string {
  const cpus = os.cpus();
  const load = (values: readonly number[]) => values.map((l) => l.toFixed(2)).join(' ');
  return (
    `machine: ${cpus[0]?.model ?? 'unknown cpu'} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
    `${os.platform()} ${os.release()}, node ${process.version}, ` +
    `load average at start ${load(loadAtStart)}, at end ${load(os.loadavg())}`
  );
}
