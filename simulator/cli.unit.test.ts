import { formatResult, newRunId, parseArgs, progressBar } from './cli';
import { percentile, summarize } from './stats';

describe('simulator command line', () => {
  it('reads the scenario, the host and the load flags', () => {
    expect(
      parseArgs(
        ['--scenario', 'load', '--url', 'http://127.0.0.1:8080', '--transfers', '50', '--accounts', '3'],
        {},
      ),
    ).toEqual({
      scenario: 'load',
      url: 'http://127.0.0.1:8080',
      transfers: 50,
      accounts: 3,
      concurrency: 16,
      timeoutMs: 30_000,
    });
    expect(parseArgs(['--scenario', 'approved'], { CARDFLOW_URL: 'http://h:1' }).url).toBe('http://h:1');
  });

  it('refuses unknown scenarios and flags and bad numbers with a message', () => {
    expect(() => parseArgs([], {})).toThrow('a --scenario is required');
    expect(() => parseArgs(['--scenario', 'chaos'], {})).toThrow("unknown scenario 'chaos'");
    expect(() => parseArgs(['--scenario', 'load', '--transfers', '0'], {})).toThrow(
      '--transfers needs an integer >= 1',
    );
    expect(() => parseArgs(['--scenario', 'load', '--accounts', '1'], {})).toThrow(
      '--accounts needs an integer >= 2',
    );
    expect(() => parseArgs(['--scenario', 'load', '--url', 'localhost'], {})).toThrow(
      '--url needs an http(s) URL',
    );
    expect(() => parseArgs(['--scenario', 'load', '--fast'], {})).toThrow('unknown flag --fast');
  });

  it('makes run ids that are valid Cardflow ids', () => {
    expect(newRunId()).toMatch(/^[a-z0-9][a-z0-9-]{2,40}$/);
  });

  it('draws progress and reports violations', () => {
    expect(progressBar(5, 10, 10)).toBe('[#####.....] 5/10');
    expect(
      formatResult({
        scenario: 'small-transfer',
        violations: ['money not conserved'],
        summary: ['tr: completed'],
      }),
    ).toEqual(['scenario small-transfer: FAILED', '  tr: completed', '  ✗ money not conserved']);
  });
});

describe('latency percentiles', () => {
  it('uses the nearest rank', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(summarize([30, 10, 20])).toEqual({ count: 3, p50: 20, p90: 30, p99: 30, max: 30, mean: 20 });
    expect(summarize([])).toMatchObject({ count: 0, p50: 0, max: 0 });
  });
});
