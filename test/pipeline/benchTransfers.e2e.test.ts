/**
 * `npm run bench` as it runs: the compiled bench drives a host it starts in a process of its own
 * (as `npm start` starts it), and reports throughput, latency, the host's CPU and resident set,
 * the machine and its load; a small run, so the bench cannot break unnoticed.
 */
import { runBench } from '../support/runBench';

jest.setTimeout(120_000);

test('bench: a host process of its own, the figures of the run, the invariants held', async () => {
  const { code, out } = await runBench('transfers', [
    '--transfers',
    '12',
    '--accounts',
    '4',
    '--concurrency',
    '4',
  ]);
  expect({ code, out }).toMatchObject({ code: 0 });
  expect(out).toMatch(
    /^host: node dist\/runtime\/cli\.js \(process \d+\).*, reads waiting on the host \(Prefer: wait=10\)$/m,
  );
  expect(out).toMatch(/^machine: .+ load average at start [\d.]+ [\d.]+ [\d.]+, at end/m);
  expect(out).toMatch(/invariants over 4 accounts and 12 transfers: hold/);
  expect(out).toMatch(/^host CPU: [\d.]+ ms per transfer/m);
  expect(out).toMatch(/^host resident set: \d+ MiB after 12 transfers, \d+ MiB after 12/m);
  const result = JSON.parse(/^RESULT (.+)$/m.exec(out)![1]) as {
    transfersPerSecond: number;
    cpuMsPerTransfer: number;
  };
  expect(result.transfersPerSecond).toBeGreaterThan(0);
  expect(result.cpuMsPerTransfer).toBeGreaterThan(0);
});
