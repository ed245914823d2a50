import type { TestHost } from '../../testHost';
import { advance, raise, run, start, startDurableHost, status } from './helpers';

const HOUR = 60 * 60 * 1000;

describe('durable orchestration patterns through the host', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startDurableHost();
  });
  afterAll(async () => {
    await host.stop();
  });

  const timers = (): number =>
    (host.db.prepare('SELECT COUNT(*) AS n FROM durable_timers').get() as { n: number }).n;

  test('function chaining runs the activities in order and returns their results', async () => {
    const result = await run(host, 'HelloCities', ['Tokyo', 'Seattle', 'London']);
    expect(result.runtimeStatus).toBe('Completed');
    expect(result.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  test('fan-out/fan-in waits for every parallel activity', async () => {
    const result = await run(host, 'FanOutFanIn', 20);
    expect(result).toMatchObject({ runtimeStatus: 'Completed', output: 2 * ((20 * 21) / 2) });
  });

  test('human interaction: an approval before the deadline wins and cancels the timer', async () => {
    const id = await start(host, 'Approval');
    await host.waitForIdle();
    expect(timers()).toBe(1);
    await advance(host, HOUR);
    expect(await raise(host, id, 'Approval', { approver: 'ada' })).toBe(202);
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Running', customStatus: 'approved' });
    expect(timers()).toBe(0);
    // The cancelled deadline passing changes nothing.
    await advance(host, 48 * HOUR);
    expect((await status(host, id)).runtimeStatus).toBe('Running');
    expect(await raise(host, id, 'Close', 'bye')).toBe(202);
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({
      runtimeStatus: 'Completed',
      output: { decision: { approver: 'ada' }, closing: 'bye' },
    });
  });

  test('human interaction: without a decision the 24-hour deadline expires the request', async () => {
    const startedAt = host.clock.now();
    const id = await start(host, 'Approval');
    await host.waitForIdle();
    await advance(host, 24 * HOUR - 1);
    expect((await status(host, id)).runtimeStatus).toBe('Running');
    await advance(host, 1);
    const result = await status(host, id);
    expect(result.runtimeStatus).toBe('Completed');
    expect(result.output).toEqual({ decision: 'expired', at: new Date(startedAt + 24 * HOUR).toISOString() });
  });

  test('a timer longer than the maximum short timer fires at its time through sub-timers', async () => {
    const id = await start(host, 'LongTimer');
    await host.waitForIdle();
    await advance(host, 9 * 24 * HOUR);
    expect((await status(host, id)).runtimeStatus).toBe('Running');
    await advance(host, 24 * HOUR);
    expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Completed', output: { sleptHours: 240 } });
  });

  test('an activity with retry succeeds after failed attempts, waiting the backoff in between', async () => {
    const id = await start(host, 'Retrying', { key: 'succeeds', failTimes: 2, maxAttempts: 4 });
    await host.waitForIdle();
    await advance(host, 999);
    expect((await status(host, id)).runtimeStatus).toBe('Running');
    await advance(host, 1); // first retry after 1 s
    await advance(host, 1999);
    expect((await status(host, id)).runtimeStatus).toBe('Running');
    await advance(host, 1); // second retry after 2 s (backoff coefficient 2)
    expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Completed', output: { attempt: 3 } });
  });

  test('an activity with retry that exhausts its attempts fails with the last error', async () => {
    const id = await start(host, 'Retrying', {
      key: 'exhausts',
      failTimes: 10,
      maxAttempts: 3,
      catchFailure: true,
    });
    await host.waitForIdle();
    await advance(host, 10_000);
    const result = await status(host, id);
    expect(result.runtimeStatus).toBe('Completed');
    expect((result.output as { caught: string }).caught).toContain(
      "Activity function 'Flaky' failed: attempt 3 failed",
    );
  });

  test('an uncaught exhausted retry fails the orchestration with the Azure reason text', async () => {
    const id = await start(host, 'Retrying', { key: 'uncaught', failTimes: 10, maxAttempts: 2 });
    await host.waitForIdle();
    await advance(host, 10_000);
    const result = await status(host, id);
    expect(result.runtimeStatus).toBe('Failed');
    expect(result.output).toEqual(
      expect.stringContaining(
        "Orchestrator function 'Retrying' failed: Activity function 'Flaky' failed: attempt 2 failed",
      ),
    );
  });

  test('sub-orchestrations return results and report failures to the parent', async () => {
    const id = await start(host, 'Parent');
    await host.waitForIdle();
    const result = await status(host, id);
    expect(result.runtimeStatus).toBe('Completed');
    const output = result.output as { greetings: string[]; doubled: number; childFailure: string };
    expect(output.greetings).toEqual(['Hello Oslo!', 'Hello Lima!']);
    expect(output.doubled).toBe(12);
    expect(output.childFailure).toContain("Orchestrator function 'Failing' failed: boom: from parent");
    expect(await status(host, `${id}-child`)).toMatchObject({
      name: 'FanOutFanIn',
      runtimeStatus: 'Completed',
      output: 12,
    });
  });

  test('a sub-orchestration with retry runs a new child per attempt and reports the last failure', async () => {
    const id = await start(host, 'ParentRetry');
    await host.waitForIdle();
    await advance(host, 10_000);
    const result = await status(host, id);
    expect(result).toMatchObject({
      runtimeStatus: 'Completed',
      output: { failed: "Orchestrator function 'Failing' failed: boom: retried child" },
    });
    const children = host.db
      .prepare(
        `SELECT instance_id, status FROM durable_instances WHERE instance_id LIKE ? ORDER BY instance_id`,
      )
      .all(`${id}:%`);
    expect(children).toEqual([
      { instance_id: `${id}:0`, status: 'Failed' },
      { instance_id: `${id}:2`, status: 'Failed' },
    ]);
  });

  test('a sub-orchestration whose id is taken by a running instance fails in the parent', async () => {
    await start(host, 'Status', undefined, 'taken-child');
    const parent = await start(host, 'ParentOf', { name: 'HelloCities', childId: 'taken-child' });
    await host.waitForIdle();
    expect((await status(host, parent)).output).toEqual({
      failed: "An orchestration with instance ID 'taken-child' already exists and is Running.",
    });
    expect((await status(host, 'taken-child')).name).toBe('Status');
  });

  test('terminating a sub-orchestration fails the task its parent waits on', async () => {
    const parent = await start(host, 'ParentOf', { name: 'Status', childId: 'doomed-child' });
    await host.waitForIdle();
    expect((await status(host, 'doomed-child')).runtimeStatus).toBe('Running');
    await host.fetch(`/runtime/webhooks/durabletask/instances/doomed-child/terminate?reason=enough`, {
      method: 'POST',
    });
    await host.waitForIdle();
    expect(await status(host, parent)).toMatchObject({
      runtimeStatus: 'Completed',
      output: { failed: "Orchestration 'doomed-child' was terminated: enough" },
    });
  });

  test('continueAsNew restarts the orchestration with the new input until it returns', async () => {
    const id = await start(host, 'Countdown', 3);
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({
      runtimeStatus: 'Running',
      input: 3,
      customStatus: { remaining: 3 },
    });
    await advance(host, HOUR);
    expect(await status(host, id)).toMatchObject({
      runtimeStatus: 'Running',
      input: 2,
      customStatus: { remaining: 2 },
    });
    await advance(host, 2 * HOUR);
    const done = await status(host, id, '?showHistory=true');
    expect(done).toMatchObject({ runtimeStatus: 'Completed', input: 0, output: 'liftoff' });
    // Only the last execution's history is kept.
    expect(done.historyEvents?.map((e) => e.EventType)).toEqual(['ExecutionStarted', 'ExecutionCompleted']);
  });

  test('continueAsNew carries external events that arrived before anyone waited for them', async () => {
    const id = await start(host, 'EventSum', { total: 0, target: 6, delayHours: 1 });
    for (const value of [1, 2, 3]) expect(await raise(host, id, 'Add', value)).toBe(202);
    await host.waitForIdle();
    expect((await status(host, id)).runtimeStatus).toBe('Running');
    await advance(host, HOUR);
    expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Completed', output: 6 });
  });

  test('events raised concurrently while executions continue as new are each counted once', async () => {
    const id = await start(host, 'EventSum', { total: 0, target: 30 });
    const answers = await Promise.all(Array.from({ length: 30 }, () => raise(host, id, 'Add', 1)));
    expect(answers.every((code) => code === 202)).toBe(true);
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Completed', output: 30 });
  });

  test('custom status follows the orchestration', async () => {
    const id = await start(host, 'Status');
    await host.waitForIdle();
    expect((await status(host, id)).customStatus).toEqual({ stage: 'waiting', greeting: 'Hello Status!' });
    await raise(host, id, 'Go', 'went');
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({
      runtimeStatus: 'Completed',
      customStatus: { stage: 'done' },
      output: 'went',
    });
  });

  test('a throwing orchestrator fails with the Azure output text and failure history', async () => {
    const id = await start(host, 'Failing', 'bad input');
    await host.waitForIdle();
    const result = await status(host, id, '?showHistory=true&showHistoryOutput=true');
    expect(result.runtimeStatus).toBe('Failed');
    expect(result.output).toBe("Orchestrator function 'Failing' failed: boom: bad input");
    const last = result.historyEvents?.at(-1);
    expect(last).toMatchObject({
      EventType: 'ExecutionCompleted',
      OrchestrationStatus: 'Failed',
      Result: "Orchestrator function 'Failing' failed: boom: bad input",
    });
  });

  test('an activity failure reaches the orchestrator as Activity function ... failed', async () => {
    const id = await start(host, 'ActivityFails', 'disk on fire');
    await host.waitForIdle();
    const result = await status(host, id, '?showHistory=true');
    expect(result.runtimeStatus).toBe('Failed');
    expect(result.output).toEqual(
      expect.stringMatching(
        /^Orchestrator function 'ActivityFails' failed: Activity function 'Explode' failed: disk on fire/,
      ),
    );
    expect(result.historyEvents).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          EventType: 'TaskFailed',
          FunctionName: 'Explode',
          Reason: "Activity function 'Explode' failed: disk on fire",
        }),
      ]),
    );
  });
});
