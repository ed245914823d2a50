/**
 * Every simulator scenario, run by the simulator's own code against the whole app (repo root,
 * dist/functions/index.js: `npm run build` first) on a test host over real HTTP, with the virtual
 * clock standing in for the approval deadline.
 */
import path from 'node:path';
import { createTestHost, type TestHost } from '../../runtime';
import { CardflowApi } from '../../simulator/api';
import { runScenario, SCENARIOS, type ScenarioOptions } from '../../simulator/scenarios';
import { testHostDriver } from './testHostDriver';

const REPO_ROOT = path.resolve(__dirname, '../..');

describe('simulator scenarios against the app', () => {
  let host: TestHost;
  let api: CardflowApi;
  const lines: string[] = [];
  const options = (runId: string, more: Partial<ScenarioOptions> = {}): ScenarioOptions => ({
    runId,
    transfers: 40,
    accounts: 4,
    concurrency: 8,
    timeoutMs: 20_000,
    out: (line) => lines.push(line),
    ...more,
  });

  beforeAll(async () => {
    host = await createTestHost({ appRoot: REPO_ROOT, settings: { CARDFLOW_STORE: 'local' } });
    api = new CardflowApi(testHostDriver(host));
  });
  afterAll(() => host?.stop());

  it.each(Object.keys(SCENARIOS).filter((name) => name !== 'load'))('%s holds its expectations and the invariants', async (name) => {
    const result = await runScenario(api, name, options(`e2e-${name}`));
    expect(result.violations).toEqual([]);
    expect(result.summary.at(-1)).toMatch(/invariants over \d+ accounts and \d+ transfers: hold/);
  });

  it('load completes every transfer and reports throughput and latency', async () => {
    const progress: number[] = [];
    const result = await runScenario(api, 'load', options('e2e-load', { progress: (done) => progress.push(done) }));
    expect(result.violations).toEqual([]);
    expect(result.load).toMatchObject({ transfers: 40, accounts: 4, completed: 40 });
    expect(result.load?.latencyMs.count).toBe(40);
    expect(progress.at(-1)).toBe(40);
  });

  it('expired waited for the 24-hour deadline on the virtual clock', () => {
    expect(lines.some((line) => /waiting \d+ s for the approval deadline/.test(line))).toBe(true);
  });
});
