import type { TestHost } from '../../testHost';
import { createDurableService } from '../service';
import { DurableStore } from '../store';
import { API, raise, start, startDurableHost, status } from './helpers';

/** Waits (real time) until `check` holds. */
async function until(check: () => Promise<boolean>, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function post(host: TestHost, path: string): Promise<number> {
  const res = await host.fetch(`${API}/${path}`, { method: 'POST' });
  await res.arrayBuffer();
  return res.status;
}

describe('instance management through the Durable HTTP API', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startDurableHost();
  });
  afterAll(async () => {
    await host.stop();
  });

  test('a suspended instance keeps events raised meanwhile and acts on them after resume', async () => {
    const id = await start(host, 'Status');
    await host.waitForIdle();
    expect(await post(host, `instances/${id}/suspend?reason=maintenance`)).toBe(202);
    await host.waitForIdle();
    expect((await status(host, id)).runtimeStatus).toBe('Suspended');
    const suspended = await host.fetch(`${API}/instances/${id}`);
    expect(suspended.status).toBe(202);
    await suspended.arrayBuffer();

    expect(await raise(host, id, 'Go', 'while suspended')).toBe(202);
    await host.waitForIdle();
    expect((await status(host, id)).runtimeStatus).toBe('Suspended');

    expect(await post(host, `instances/${id}/resume?reason=done`)).toBe(202);
    await host.waitForIdle();
    const final = await status(host, id, '?showHistory=true');
    expect(final).toMatchObject({ runtimeStatus: 'Completed', output: 'while suspended' });
    const types = final.historyEvents?.map((e) => e.EventType);
    expect(types).toEqual(
      expect.arrayContaining(['ExecutionSuspended', 'ExecutionResumed', 'EventRaised', 'ExecutionCompleted']),
    );
    expect(final.historyEvents?.find((e) => e.EventType === 'ExecutionSuspended')).toMatchObject({
      Reason: 'maintenance',
    });
  });

  test('a suspended instance can be terminated; suspend and resume of unknown or finished instances are 404 / 410', async () => {
    const id = await start(host, 'Status');
    await host.waitForIdle();
    expect(await post(host, `instances/${id}/suspend`)).toBe(202);
    await host.waitForIdle();
    expect(await post(host, `instances/${id}/terminate?reason=enough`)).toBe(202);
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Terminated', output: 'enough' });
    expect(await post(host, `instances/${id}/resume`)).toBe(410);
    expect(await post(host, `instances/${id}/suspend`)).toBe(410);
    expect(await post(host, 'instances/nobody/suspend')).toBe(404);
    expect(await post(host, 'instances/nobody/resume')).toBe(404);
  });

  test('work that completes while an instance is suspended is delivered after resume', async () => {
    const id = await start(host, 'HelloCities', ['Rome', 'Nice']);
    // Suspended before its first episode ran: the queued start runs, then the suspend takes effect.
    expect(await post(host, `instances/${id}/suspend`)).toBe(202);
    await host.waitForIdle();
    expect((await status(host, id)).runtimeStatus).toBe('Suspended');
    const queued = host.db
      .prepare('SELECT COUNT(*) AS n FROM durable_messages WHERE instance_id = ?')
      .get(id) as { n: number };
    expect(queued.n).toBe(1); // the first activity's result waits
    expect(await post(host, `instances/${id}/resume`)).toBe(202);
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({
      runtimeStatus: 'Completed',
      output: ['Hello Rome!', 'Hello Nice!'],
    });
  });
});

describe('create and wait (?timeout=)', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startDurableHost();
  });
  afterAll(async () => {
    await host.stop();
  });

  test('answers 200 with the output when the instance finishes within the timeout', async () => {
    const res = await host.fetch(`${API}/orchestrators/HelloCities?timeout=10&pollingInterval=1`, {
      method: 'POST',
      body: JSON.stringify(['Bern']),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(['Hello Bern!']);
  });

  /**
   * Starts the `Status` orchestration `id` with create-and-wait and resolves, with the waiting
   * request's answer still to come (wrapped: a promise returned bare would be awaited), once the
   * instance waits for its `Go` event.
   */
  async function startWaiting(id: string, query: string): Promise<{ answer: Promise<Response> }> {
    const answer = host.fetch(`${API}/orchestrators/Status/${id}?${query}`, { method: 'POST' });
    await until(
      async () => ((await status(host, id)).customStatus as { stage?: string } | null)?.stage === 'waiting',
    );
    return { answer };
  }

  test('answers as soon as the instance finishes, not at the next polling interval', async () => {
    // A 10 s polling interval: the extension would read its store again only 10 s later.
    const id = `wait-${Date.now()}`;
    const { answer } = await startWaiting(id, 'timeout=30&pollingInterval=10');
    const raisedAt = Date.now();
    expect(await raise(host, id, 'Go', 'now')).toBe(202);
    const res = await answer;
    expect(res.status).toBe(200);
    expect(await res.json()).toBe('now');
    expect(Date.now() - raisedAt).toBeLessThan(3_000);
  });

  test('a termination while the request waits answers at once with the Terminated status', async () => {
    const id = `terminated-${Date.now()}`;
    const { answer } = await startWaiting(id, 'timeout=30&pollingInterval=10');
    const terminatedAt = Date.now();
    expect(await post(host, `instances/${id}/terminate?reason=enough`)).toBe(202);
    const res = await answer;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ instanceId: id, runtimeStatus: 'Terminated', output: 'enough' });
    expect(Date.now() - terminatedAt).toBeLessThan(3_000);
  });

  test('a purge while the request waits wakes it, and it waits on until its timeout (202)', async () => {
    const id = `purged-${Date.now()}`;
    const { answer } = await startWaiting(id, 'timeout=1.5&pollingInterval=1');
    const del = await host.fetch(`${API}/instances/${id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    await del.arrayBuffer();
    const res = await answer;
    expect(res.status).toBe(202);
    expect((await res.json()) as { id: string }).toMatchObject({ id });
  });

  test('a host that stops ends a waiting request at once, not at its next polling interval', async () => {
    const own = await startDurableHost();
    const id = `stopping-${Date.now()}`;
    const answer = own.fetch(`${API}/orchestrators/Status/${id}?timeout=60&pollingInterval=1`, {
      method: 'POST',
    });
    await until(
      async () => ((await status(own, id)).customStatus as { stage?: string } | null)?.stage === 'waiting',
    );
    // A wait still asleep after the stop would read the closed store at the end of its interval.
    const reads = jest.spyOn(DurableStore.prototype, 'getInstance');
    const stoppedAt = Date.now();
    await own.stop();
    const outcome = await answer.then(
      (res) => res.status,
      () => 'connection closed',
    );
    expect(Date.now() - stoppedAt).toBeLessThan(3_000);
    expect([202, 'connection closed']).toContain(outcome);
    const readsAtStop = reads.mock.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(reads.mock.calls.length).toBe(readsAtStop);
    reads.mockRestore();
  });

  test('answers 202 with the check-status payload when it does not', async () => {
    const res = await host.fetch(`${API}/orchestrators/Status?timeout=0.2&pollingInterval=0.05`, {
      method: 'POST',
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; statusQueryGetUri: string };
    expect(res.headers.get('location')).toBe(body.statusQueryGetUri);
    expect((await status(host, body.id)).runtimeStatus).toBe('Running');
  });

  test('a bad timeout is a 400 and starts nothing', async () => {
    const before = host.db.prepare('SELECT COUNT(*) AS n FROM durable_instances').get();
    const res = await host.fetch(`${API}/orchestrators/HelloCities?timeout=soon`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    await res.arrayBuffer();
    expect(host.db.prepare('SELECT COUNT(*) AS n FROM durable_instances').get()).toEqual(before);
  });
});

describe('rewind', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startDurableHost();
  });
  afterAll(async () => {
    await host.stop();
  });

  test('a failed instance is rewound: the failed activity runs again and the instance completes', async () => {
    const id = await start(host, 'FailsOnce', `rewind-${Date.now()}`);
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Failed' });
    const sayHello = (): number =>
      host.logs.lines().filter((l) => l.startsWith("Executed 'Functions.SayHello'")).length;
    const greetedBefore = sayHello();
    expect(await post(host, `instances/${id}/rewind?reason=fixed`)).toBe(202);
    await host.waitForIdle();
    const rewound = await status(host, id, '?showHistory=true');
    expect(rewound).toMatchObject({
      runtimeStatus: 'Completed',
      output: { before: 'Hello before!', flaky: { attempt: 2 } },
    });
    // Activities that had succeeded are not run again.
    expect(sayHello()).toBe(greetedBefore);
    expect(rewound.historyEvents?.some((e) => e.EventType === 'TaskFailed')).toBe(false);
  });

  test('a failure after the last retry is rewound: that attempt runs again and the instance completes', async () => {
    const id = `rewind-retries-${Date.now()}`;
    await start(host, 'Retrying', { key: id, failTimes: 2, maxAttempts: 2 }, id);
    await host.waitForIdle();
    await host.advance(60_000);
    expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Failed' });
    expect(await post(host, `instances/${id}/rewind`)).toBe(202);
    await host.advance(60_000);
    const rewound = await status(host, id, '?showHistory=true');
    expect(rewound).toMatchObject({ runtimeStatus: 'Completed', output: { attempt: 3 } });
    expect(rewound.historyEvents?.filter((e) => e.EventType === 'TaskFailed')).toHaveLength(1);
  });

  test('a rewound last attempt that fails again fails the instance again with its new error', async () => {
    const id = `rewind-retries-again-${Date.now()}`;
    await start(host, 'Retrying', { key: id, failTimes: 3, maxAttempts: 2 }, id);
    await host.waitForIdle();
    await host.advance(60_000);
    expect(await post(host, `instances/${id}/rewind`)).toBe(202);
    await host.advance(60_000);
    const failed = await status(host, id);
    expect(failed.runtimeStatus).toBe('Failed');
    expect(String(failed.output)).toContain('attempt 3 failed');
  });

  test('rewinding a parent rewinds its failed sub-orchestration', async () => {
    const id = await start(host, 'ParentOfFailsOnce', `rewind-child-${Date.now()}`);
    await host.waitForIdle();
    expect((await status(host, id)).runtimeStatus).toBe('Failed');
    expect((await status(host, `${id}:0`)).runtimeStatus).toBe('Failed');
    expect(await post(host, `instances/${id}/rewind`)).toBe(202);
    await host.waitForIdle();
    expect(await status(host, `${id}:0`)).toMatchObject({ runtimeStatus: 'Completed' });
    expect(await status(host, id)).toMatchObject({
      runtimeStatus: 'Completed',
      output: { before: 'Hello before!', flaky: { attempt: 2 } },
    });
  });

  test('a running instance cannot be rewound (412), an unknown one is 404', async () => {
    const id = await start(host, 'Status');
    await host.waitForIdle();
    const res = await host.fetch(`${API}/instances/${id}/rewind`, { method: 'POST' });
    expect(res.status).toBe(412);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    await res.arrayBuffer();
    expect(await post(host, 'instances/nobody/rewind')).toBe(404);
  });
});

describe('the determinism check', () => {
  let host: TestHost;
  beforeEach(async () => {
    host = await startDurableHost();
  });
  afterEach(async () => {
    await host.stop();
  });

  const redeploy = async (version: number): Promise<void> => {
    const res = await host.fetch(`/api/shifty/${version}`, { method: 'POST' });
    expect(res.status).toBe(204);
  };

  test('fails an instance whose replayed code calls a different activity than its history', async () => {
    await redeploy(1);
    const id = await start(host, 'Shifty');
    await host.waitForIdle();
    expect((await status(host, id)).runtimeStatus).toBe('Running');
    await redeploy(2);
    await raise(host, id, 'Next', null);
    await host.waitForIdle();
    const failed = await status(host, id);
    expect(failed.runtimeStatus).toBe('Failed');
    expect(failed.output).toBe(
      "Orchestrator function 'Shifty' failed: Non-deterministic workflow detected: action #0 of this instance's history is " +
        "callActivity('SayHello'), but the replayed orchestrator code scheduled callActivity('Double') there. " +
        'Was the orchestrator code changed while this instance was running?',
    );
  });

  test('fails an instance whose replayed code schedules another kind of action at the same place', async () => {
    await redeploy(1);
    const id = await start(host, 'Shifty');
    await host.waitForIdle();
    await redeploy(3);
    await raise(host, id, 'Next', null);
    await host.waitForIdle();
    const failed = await status(host, id);
    expect(failed.runtimeStatus).toBe('Failed');
    expect(String(failed.output)).toContain(
      "action #0 of this instance's history is callActivity('SayHello'), but the replayed orchestrator code scheduled callActivityWithRetry('SayHello')",
    );
  });

  test('an unchanged orchestrator replays without complaint', async () => {
    await redeploy(1);
    const id = await start(host, 'Shifty');
    await host.waitForIdle();
    await raise(host, id, 'Next', null);
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Completed', output: 'done' });
  });
});

describe('concurrency limits', () => {
  test("activities never run more at once than host.json's maxConcurrentActivityFunctions (4 in the fixture)", async () => {
    const host = await startDurableHost();
    try {
      const id = await start(host, 'Overlapping', 24);
      await host.waitForIdle();
      expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Completed', output: 4 });
    } finally {
      await host.stop();
    }
  });

  test("episodes never exceed maxConcurrentOrchestratorFunctions (4 in the fixture), and one instance's never overlap", async () => {
    const host = await startDurableHost();
    try {
      const probe = async (): Promise<{ running: number; max: number; maxPerInstance: number }> =>
        (await (await host.fetch('/api/episode-probe')).json()) as {
          running: number;
          max: number;
          maxPerInstance: number;
        };
      // Episodes wait at the probe's gate, so only the limit stops more of them from running at once.
      expect((await host.fetch('/api/episode-probe?gate=closed', { method: 'POST' })).status).toBe(204);
      const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => start(host, 'FanOutFanIn', 6 + i)));
      for (let poll = 0; poll < 1000 && (await probe()).running < 4; poll++)
        await new Promise((resolve) => setImmediate(resolve));
      expect(await probe()).toEqual({ running: 4, max: 4, maxPerInstance: 1 });
      // Then many instances, each with completions arriving while its previous episode still runs.
      expect((await host.fetch('/api/episode-probe?gate=open', { method: 'POST' })).status).toBe(204);
      await host.waitForIdle();
      for (const id of ids) expect((await status(host, id)).runtimeStatus).toBe('Completed');
      expect(await probe()).toEqual({ running: 0, max: 4, maxPerInstance: 1 });
    } finally {
      await host.stop();
    }
  });

  test('the maxConcurrentActivities option overrides host.json', async () => {
    const host = await startDurableHost({ services: [createDurableService({ maxConcurrentActivities: 2 })] });
    try {
      const id = await start(host, 'Overlapping', 12);
      await host.waitForIdle();
      expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Completed', output: 2 });
    } finally {
      await host.stop();
    }
  });
});

describe('a poisoned work item', () => {
  test('an activity attempt that times out is retried with backoff, then its task fails instead of looping', async () => {
    const host = await startDurableHost({
      services: [
        createDurableService({ activityTimeoutMs: 20, maxCrashAttempts: 3, crashRetryBaseMs: 1000 }),
      ],
    });
    try {
      const attempts = (): number =>
        host.logs.lines().filter((l) => l.startsWith("Executed 'Functions.Hang'")).length;
      const id = await start(host, 'Poisoned', 150);
      await host.waitForIdle();
      expect(attempts()).toBe(1);
      // The retry waits for its backoff (1 s after the first attempt, then 2 s) on the host clock.
      await host.advance(999);
      expect(attempts()).toBe(1);
      await host.advance(1);
      expect(attempts()).toBe(2);
      await host.advance(2000);
      expect(attempts()).toBe(3);
      expect((await status(host, id)).runtimeStatus).toBe('Running');
      await host.advance(4000);
      expect(attempts()).toBe(3);
      expect(await status(host, id)).toMatchObject({
        runtimeStatus: 'Completed',
        output: {
          failed:
            "Activity function 'Hang' failed: the invocation crashed or timed out 3 times; the work item is poisoned and not tried again",
        },
      });
      expect(host.db.prepare('SELECT COUNT(*) AS n FROM durable_activities').get()).toEqual({ n: 0 });
    } finally {
      await host.stop();
    }
  });
});
