/**
 * The `load` scenario's clients against an API that answers from memory: what they do when a request
 * fails, is refused as behind (429), or never finishes. The scenario against the real app is in
 * test/scenarios/simulator.e2e.test.ts.
 */
import { ApiError, type CardflowApi, type Driver } from './api';
import { runScenario, type ScenarioOptions } from './scenarios';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Accounts open and load at once; a transfer is completed 5 ms after it is requested, unless `answer` says otherwise. */
function fakeApi(
  answer: (call: number) => 'accept' | 'fail' | 'refuse' | 'never',
  retryAfterSeconds = 0.2,
  readWaitSeconds?: number,
  hostIgnoresWait = false,
) {
  const driver: Driver = {
    baseUrl: 'http://fake',
    settle: () => sleep(1),
    now: () => Date.now(),
    waitUntil: (at) => sleep(Math.max(0, at - Date.now())),
    virtualTime: false,
    readWaitSeconds,
  };
  const finalAt = new Map<string, number>();
  const counts = { requests: 0, refused: 0, afterReturn: 0, sending: 0, most: 0, reads: 0, waitingReads: 0 };
  /** Per transfer id, when each attempt to request it was sent. */
  const attempts = new Map<string, number[]>();
  let returned = false;
  const api = {
    driver,
    openAccount: async () => ({}),
    account: async () => ({ available: 0, reserved: 0 }),
    loadCredits: async () => ({ commandId: 'load' }),
    command: async () => ({ status: 'succeeded' }),
    requestTransfer: async (body: { transferId: string }) => {
      const call = ++counts.requests;
      attempts.set(body.transferId, [...(attempts.get(body.transferId) ?? []), Date.now()]);
      if (returned) counts.afterReturn++;
      counts.most = Math.max(counts.most, ++counts.sending);
      await sleep(2);
      counts.sending--;
      const what = answer(call);
      if (what === 'fail') throw new ApiError(500, { title: 'boom' }, 'POST /api/transfers');
      if (what === 'refuse') {
        counts.refused++;
        throw new ApiError(429, { code: 'backlog_full' }, 'POST /api/transfers', retryAfterSeconds);
      }
      finalAt.set(body.transferId, what === 'never' ? Infinity : Date.now() + 5);
      return { transferId: body.transferId, commandId: `c-${call}` };
    },
    transfer: async (id: string, read: { waitSeconds?: number } = {}) => {
      counts.reads++;
      if (read.waitSeconds && !hostIgnoresWait) {
        // As the host holds a waiting read: until the transfer is final (here at most 20 ms).
        counts.waitingReads++;
        await sleep(Math.max(0, Math.min(finalAt.get(id) ?? Infinity, Date.now() + 20) - Date.now()));
      }
      return {
        transferId: id,
        status: Date.now() >= (finalAt.get(id) ?? Infinity) ? 'completed' : 'reserving',
      };
    },
    decide: async () => ({}),
  };
  return {
    api: api as unknown as CardflowApi,
    counts,
    attempts,
    markReturned: () => {
      returned = true;
    },
  };
}

const options = (more: Partial<ScenarioOptions> = {}): ScenarioOptions => ({
  runId: 'unit',
  transfers: 60,
  accounts: 3,
  concurrency: 4,
  timeoutMs: 300,
  out: () => undefined,
  ...more,
});

describe('the load scenario', () => {
  test('keeps `concurrency` requests going at once and every transfer is measured', async () => {
    const { api, counts } = fakeApi(() => 'accept');
    const result = await runScenario(api, 'load', options());
    expect(result.load).toMatchObject({ transfers: 60, completed: 60 });
    expect(result.load?.latencyMs.count).toBe(60);
    expect(counts.most).toBe(4);
  });

  test('a request refused as behind (429) is sent again after its Retry-After, and nothing is lost', async () => {
    const { api, counts, attempts } = fakeApi((call) => (call % 5 === 0 ? 'refuse' : 'accept'), 0.2);
    const result = await runScenario(api, 'load', options());
    expect(counts.refused).toBeGreaterThan(5);
    expect(result.load).toMatchObject({ transfers: 60, completed: 60 });
    // Every attempt after a refusal: a transfer may be refused more than once.
    const gaps = [...attempts.values()].flatMap((times) => times.slice(1).map((at, n) => at - times[n]));
    expect(gaps).toHaveLength(counts.refused);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(195);
  });

  test('a Retry-After of 0 still waits a moment (no busy loop against a host at its bound)', async () => {
    const { api, attempts } = fakeApi((call) => (call === 1 ? 'refuse' : 'accept'), 0);
    await runScenario(api, 'load', options({ transfers: 4 }));
    const [first, second] = [...attempts.values()].find((times) => times.length > 1)!;
    expect(second - first).toBeGreaterThanOrEqual(95);
  });

  test('a client waiting out a 429 stops when the run fails (here: transfers never final, the host always at its bound)', async () => {
    const fake = fakeApi((call) => (call <= 4 ? 'never' : 'refuse'), 1);
    const started = Date.now();
    const result = await runScenario(fake.api, 'load', options({ transfers: 10, timeoutMs: 100 }));
    fake.markReturned();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.violations).toEqual(expect.arrayContaining([expect.stringMatching(/not final in time/)]));
    await sleep(300);
    expect(fake.counts.afterReturn).toBe(0);
  });

  test('a request that fails ends the run: the failure is reported and no client sends after it returned', async () => {
    const fake = fakeApi((call) => (call === 3 ? 'fail' : 'accept'));
    const result = await runScenario(fake.api, 'load', options({ transfers: 400 }));
    fake.markReturned();
    expect(result.violations).toEqual(expect.arrayContaining([expect.stringMatching(/HTTP 500/)]));
    expect(result.load).toBeUndefined();
    const sent = fake.counts.requests;
    await sleep(50);
    expect(fake.counts.requests).toBe(sent);
    expect(fake.counts.afterReturn).toBe(0);
    expect(sent).toBeLessThan(400);
  });

  test('transfers that never finish time the run out, and the clients stop with it', async () => {
    const fake = fakeApi((call) => (call <= 4 ? 'never' : 'accept'));
    const result = await runScenario(fake.api, 'load', options({ transfers: 40, timeoutMs: 100 }));
    fake.markReturned();
    expect(result.violations).toEqual(
      expect.arrayContaining([expect.stringMatching(/load: 40 transfers not final in time/)]),
    );
    await sleep(50);
    expect(fake.counts.afterReturn).toBe(0);
  });

  test('with reads that wait on the host, each client follows its own transfer: about one read each, `concurrency` at once', async () => {
    const { api, counts } = fakeApi(() => 'accept', 0.2, 10);
    const result = await runScenario(api, 'load', options());
    expect(result.load).toMatchObject({ transfers: 60, completed: 60 });
    expect(result.load?.latencyMs.count).toBe(60);
    expect(counts.most).toBe(4);
    // The run's reads all wait; the invariants check afterwards reads each transfer once more, without waiting.
    expect(counts.waitingReads).toBeGreaterThanOrEqual(60);
    expect(counts.waitingReads).toBeLessThan(60 * 2);
  });

  test('with waiting reads against a host that answers them at once, each client pauses between reads (no busy loop)', async () => {
    const { api, counts } = fakeApi(() => 'accept', 0.2, 10, true);
    const result = await runScenario(api, 'load', options());
    expect(result.load).toMatchObject({ transfers: 60, completed: 60 });
    // Final 5 ms after the request, a pause of 1 ms between reads: a handful of reads each.
    expect(counts.reads / 60).toBeLessThan(20);
  });

  test('with waiting reads, transfers that never finish still time the run out', async () => {
    const fake = fakeApi((call) => (call <= 4 ? 'never' : 'accept'), 0.2, 10);
    const result = await runScenario(fake.api, 'load', options({ transfers: 40, timeoutMs: 100 }));
    fake.markReturned();
    expect(result.violations).toEqual(expect.arrayContaining([expect.stringMatching(/not final in time/)]));
    await sleep(50);
    expect(fake.counts.afterReturn).toBe(0);
  });
});
