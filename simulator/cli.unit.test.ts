import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { castFor, formatResult, newRunId, parseArgs, progressBar, writeUsersFile } from './cli';
import { customersNeeded } from './scenarios';
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
      customers: 20,
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
    expect(() => parseArgs(['--scenario', 'load', '--users'], {})).toThrow('--users needs a file');
    expect(() => parseArgs(['--write-users', '--customers', '3'], {})).toThrow('--write-users needs a file');
  });

  it('reads the users file and the users file to write, which needs no scenario', () => {
    expect(parseArgs(['--scenario', 'approved', '--users', 'u.json'], {}).users).toBe('u.json');
    expect(parseArgs(['--write-users', 'u.json', '--customers', '5'], {})).toMatchObject({
      writeUsers: 'u.json',
      customers: 5,
      scenario: '',
    });
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

describe('who the command line acts as', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sim-cli-'));
    writeFileSync(path.join(dir, 'host.json'), '{}');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const example = (file: string, ...ids: string[]) =>
    writeFileSync(
      path.join(dir, file),
      JSON.stringify({
        users: [
          ...ids.map((id) => ({ id, name: id, roles: ['customer'], token: `token-of-${id}-0123456789` })),
          { id: 'ada', name: 'Ada', roles: ['approver'], token: 'token-of-ada-0123456789' },
          { id: 'otto', name: 'Otto', roles: ['operator'], token: 'token-of-otto-0123456789' },
        ],
      }),
    );

  it("defaults to the users file npm start's host reads: $CARDFLOW_AUTH_FILE, auth.local.json, the example", () => {
    example('auth.local.example.json', 'alice', 'bob');
    expect(castFor({}, {}, dir).customers.map((u) => u.id)).toEqual(['alice', 'bob']);
    example('auth.local.json', 'carol', 'dan', 'erin');
    expect(castFor({}, {}, dir).source).toBe(path.join(dir, 'auth.local.json'));
    example('mine.json', 'fay', 'gus');
    expect(castFor({}, { CARDFLOW_AUTH_FILE: 'mine.json' }, dir).customers[0].id).toBe('fay');
    expect(castFor({ users: path.join(dir, 'auth.local.example.json') }, {}, dir).approver.id).toBe('ada');
  });

  it('writes a users file with a customer per account, readable by its owner only, and never over another', () => {
    const file = path.join(dir, 'sim-users.json');
    expect(writeUsersFile(file, 12).join('\n')).toContain(`CARDFLOW_AUTH_FILE=${file} npm start`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const cast = castFor({ users: file }, {}, dir);
    expect(customersNeeded('load', { accounts: 12 })).toBe(12);
    expect(cast.customers.length).toBeGreaterThanOrEqual(12);
    const before = readFileSync(file, 'utf8');
    expect(() => writeUsersFile(file, 3)).toThrow('exists; not overwriting it');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});
