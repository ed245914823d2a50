/**
 * The simulator's command as a user meets it, in-process over real loopback HTTP: help, no host at
 * the URL, the progress bar on a terminal only, and the load summary's percentiles.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeHost, progressReporter, runCli, USAGE, wantsHelp, type CliIo } from './cli';
import { describeLoad } from './scenarios';

function capture(isTTY = false): CliIo & { stdout: string[]; stderr: string[]; frames: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const frames: string[] = [];
  return {
    stdout,
    stderr,
    frames,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    progress: { isTTY, write: (text: string) => frames.push(text) },
  };
}

/** A port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('npm run simulate', () => {
  test('--help (or -h) prints the usage and succeeds, whatever else is on the line', async () => {
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['--scenario', 'load', '-h'])).toBe(true);
    expect(wantsHelp(['--scenario', 'load'])).toBe(false);
    const io = capture();
    expect(await runCli(['--help'], {}, io)).toBe(0);
    expect(io.stdout).toEqual([USAGE]);
    expect(USAGE).toMatch(/^usage: npm run simulate -- --scenario NAME/);
    expect(io.stderr).toEqual([]);
  });

  test('with no host at the URL: says so and what to do, exits 1, reports no invariants', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const io = capture();
    expect(await runCli(['--scenario', 'small-transfer', '--url', url], {}, io)).toBe(1);
    expect(io.stderr).toEqual([`no host at ${url} (ECONNREFUSED): start one with npm start, or pass --url`]);
    expect(io.stdout.join('\n')).not.toContain('invariants');
  });

  test('probeHost: any HTTP answer means a host is there', async () => {
    const server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      expect(await probeHost(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).toBeUndefined();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('bad usage still exits 2 with the usage', async () => {
    const io = capture();
    expect(await runCli(['--scenario', 'load', '--fast'], {}, io)).toBe(2);
    expect(io.stderr[0]).toMatch(/^unknown flag --fast\nusage:/);
  });

  test('the progress bar is drawn on a terminal only', () => {
    expect(progressReporter({ isTTY: false, write: () => undefined })).toBeUndefined();
    expect(progressReporter({ write: () => undefined })).toBeUndefined();
    const frames: string[] = [];
    const report = progressReporter({ isTTY: true, write: (text: string) => frames.push(text) });
    report?.(1, 2);
    report?.(2, 2);
    expect(frames).toEqual([`\r[${'#'.repeat(15)}${'.'.repeat(15)}] 1/2`, `\r[${'#'.repeat(30)}] 2/2\n`]);
  });

  test('the load summary gives p50, p90, p99 and max, as the README says', () => {
    expect(
      describeLoad({
        transfers: 200,
        accounts: 10,
        completed: 200,
        approvalsGiven: 3,
        elapsedMs: 4_000,
        transfersPerSecond: 50,
        latencyMs: { count: 200, p50: 40, p90: 75, p99: 120, max: 180, mean: 45 },
      }),
    ).toBe(
      '200 transfers between 10 accounts in 4.00 s: 50.0 transfers/s; request→completed p50 40 ms, ' +
        'p90 75 ms, p99 120 ms, max 180 ms; 3 held by the velocity rule and approved',
    );
  });
});
