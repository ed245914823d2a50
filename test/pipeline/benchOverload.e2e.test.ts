/**
 * `npm run bench:overload` as it runs, small: clients that honour the 429's Retry-After against a
 * host in a process of its own whose backlog bound is tiny, so refusals happen; every accepted
 * transfer ends (learned from the host's own Event Grid topic), the read-model lag is measured and
 * the invariants hold.
 */
import { runBench } from '../support/runBench';

jest.setTimeout(180_000);

test('bench:overload: refusals with Retry-After, everything accepted ends, the lag measured, the invariants held', async () => {
  const { code, out } = await runBench('overload', [
    ...['--clients', '8', '--seconds', '3', '--accounts', '4', '--backlog', '3', '--drain-seconds', '120'],
  ]);
  expect({ code, out }).toMatchObject({ code: 0 });
  expect(out).toMatch(/^machine: .+ load average at start [\d.]+ [\d.]+ [\d.]+, at end/m);
  expect(out).toMatch(
    /^host: node dist\/runtime\/cli\.js .+ 8 clients for 3 s, 4 accounts, BACKLOG_MAX_COMMANDS 3$/m,
  );
  // At least one figure of each: a probe that never measured, or a health read that never answered, fails here.
  const lags =
    /^read models: events change-feed lag p50 \d+ ms, max \d+ ms \((\d+) samples\); final event → view p50 \d+ ms, max (\d+) ms \((\d+) samples\)$/m.exec(
      out,
    );
  expect(lags).not.toBeNull();
  expect(Number(lags![1])).toBeGreaterThan(0);
  expect(Number(lags![3])).toBeGreaterThan(0);
  expect(Number(lags![2])).toBeLessThan(60_000);
  expect(out).toMatch(/^drain: every accepted transfer ended/m);
  const result = JSON.parse(/^RESULT (.+)$/m.exec(out)![1]) as {
    accepted: number;
    refused: number;
    ended: number;
    violations: number;
  };
  expect(result.accepted).toBeGreaterThan(0);
  expect(result.refused).toBeGreaterThan(0);
  expect(result.ended).toBe(result.accepted);
  expect(result.violations).toBe(0);
  expect(out).toMatch(new RegExp(`invariants over 4 accounts and ${result.accepted} transfers: hold`));
});
