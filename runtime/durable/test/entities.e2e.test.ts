import type { TestHost } from '../../testHost';
import { createDurableService } from '../service';
import { API, raise, run, start, startDurableHost, status } from './helpers';

async function signal(
  host: TestHost,
  name: string,
  key: string,
  op: string,
  input?: unknown,
): Promise<number> {
  const res = await host.fetch(`${API}/entities/${name}/${encodeURIComponent(key)}?op=${op}`, {
    method: 'POST',
    body: input === undefined ? '' : JSON.stringify(input),
    headers: { 'content-type': 'application/json' },
  });
  await res.arrayBuffer();
  return res.status;
}

async function readState(
  host: TestHost,
  name: string,
  key: string,
): Promise<{ status: number; body: unknown }> {
  const res = await host.fetch(`${API}/entities/${name}/${encodeURIComponent(key)}`);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('durable entities through the host', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startDurableHost();
  });
  afterAll(async () => {
    await host.stop();
  });

  test('a counter hammered by 50 concurrent signals ends at exactly 50', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 50 }, () => signal(host, 'Counter', 'hammered', 'add', 1)),
    );
    expect(statuses.every((s) => s === 202)).toBe(true);
    await host.waitForIdle();
    expect(await readState(host, 'Counter', 'hammered')).toEqual({ status: 200, body: 50 });
    const rows = host.db.prepare('SELECT COUNT(*) AS n FROM durable_entity_ops').get() as { n: number };
    expect(rows.n).toBe(0);
  });

  test('callEntity round-trips from an orchestration; a failed operation returns an error and changes nothing', async () => {
    const result = await run(host, 'CounterCalls', 'calls');
    expect(result.runtimeStatus).toBe('Completed');
    expect(result.output).toEqual({
      afterSignal: 15,
      failure: 'add refused',
      afterFailure: 15,
      parallel: [0, 0, 'Hello calls!'],
    });
    expect(await readState(host, 'Counter', 'calls')).toEqual({ status: 200, body: 15 });
    // The failed operation's signal was dropped with its state change.
    expect((await readState(host, 'Counter', 'calls-echo')).status).toBe(404);
  });

  test('the history shows each entity call as EventSent with the request id its EventRaised response names', async () => {
    const id = await start(host, 'CounterCalls', 'history');
    await host.waitForIdle();
    const history = host.db
      .prepare('SELECT event FROM durable_history WHERE instance_id = ? ORDER BY seq')
      .all(id)
      .map((r) => JSON.parse((r as { event: string }).event) as Record<string, unknown>);
    const sent = history.filter((e) => e.EventType === 14);
    // 4 calls, 1 signal, 2 parallel calls.
    expect(sent).toHaveLength(7);
    expect(sent[0]).toMatchObject({ Name: 'op', InstanceId: '@counter@history' });
    const request = JSON.parse(String(sent[0].Input)) as { id: string; op: string; signal: boolean };
    expect(request).toMatchObject({ op: 'add', signal: false });
    const response = history.find((e) => e.EventType === 15 && e.Name === request.id);
    expect(response).toBeDefined();
    expect(JSON.parse(String(response?.Input))).toEqual({});
    // showHistory lists the sends as Azure's HTTP API does (PascalCase, type by name).
    const shown = await status(host, id, '?showHistory=true&showHistoryOutput=true');
    expect(shown.historyEvents?.filter((e) => e.EventType === 'EventSent')[0]).toMatchObject({
      EventType: 'EventSent',
      Name: 'op',
      InstanceId: '@counter@history',
      Input: expect.objectContaining({ op: 'add', signal: false, id: request.id }),
    });
  });

  test('an entity signals another entity', async () => {
    expect(await signal(host, 'Counter', 'from', 'add', 30)).toBe(202);
    expect(await signal(host, 'Counter', 'from', 'forward', { to: 'to', amount: 12 })).toBe(202);
    await host.waitForIdle();
    expect((await readState(host, 'Counter', 'from')).body).toBe(18);
    expect((await readState(host, 'Counter', 'to')).body).toBe(12);
  });

  test('destructOnExit deletes the entity: its state reads as absent and a new one starts over', async () => {
    await signal(host, 'Counter', 'doomed', 'add', 7);
    await host.waitForIdle();
    expect((await readState(host, 'Counter', 'doomed')).body).toBe(7);
    await signal(host, 'Counter', 'doomed', 'delete');
    await host.waitForIdle();
    expect((await readState(host, 'Counter', 'doomed')).status).toBe(404);
    await signal(host, 'Counter', 'doomed', 'add', 2);
    await host.waitForIdle();
    expect((await readState(host, 'Counter', 'doomed')).body).toBe(2);
  });

  test("the SDK client's signalEntity and readEntityState work against the host", async () => {
    const signalled = await host.fetch('/api/entity/signal/Counter/sdk', {
      method: 'POST',
      body: JSON.stringify({ op: 'add', input: 41 }),
    });
    expect(signalled.status).toBe(202);
    await host.waitForIdle();
    const read = await host.fetch('/api/entity/read/Counter/sdk', { method: 'POST' });
    expect(await read.json()).toEqual({ entityExists: true, entityState: 41 });
    const missing = await host.fetch('/api/entity/read/Counter/never', { method: 'POST' });
    expect(await missing.json()).toEqual({ entityExists: false });
  });

  test('an orchestration calling an entity that does not exist gets an error', async () => {
    const result = await run(host, 'CallMissingEntity');
    expect(result.output).toEqual({
      failed: "The entity function 'nosuchentity' doesn't exist or is not an entity function.",
    });
  });

  test('an entity response is not taken for a raised event, and an event raised early waits for its wait', async () => {
    await signal(host, 'Counter', 'ev', 'add', 3);
    await host.waitForIdle();
    const id = await start(host, 'EntityThenEvent', 'ev');
    // Raised while the orchestration still waits for its first entity call.
    expect(await raise(host, id, 'Go', 'now')).toBe(202);
    await host.waitForIdle();
    expect(await status(host, id)).toMatchObject({
      runtimeStatus: 'Completed',
      output: { before: 3, event: 'now', after: 3 },
    });
  });

  test('entities are listed by name with their state, a page at a time', async () => {
    for (const key of ['l1', 'l2', 'l3']) await signal(host, 'Counter', `list-${key}`, 'add', 1);
    await host.waitForIdle();
    const seen: Array<{ entityId: { name: string; key: string }; state?: unknown }> = [];
    let token: string | null = null;
    for (let page = 0; page < 100; page++) {
      const res: Response = await host.fetch(`${API}/entities/Counter?top=2&fetchState=true`, {
        headers: token ? { 'x-ms-continuation-token': token } : {},
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as typeof seen;
      expect(body.length).toBeLessThanOrEqual(2);
      seen.push(...body);
      token = res.headers.get('x-ms-continuation-token');
      if (!token) break;
    }
    const listed = seen.filter((e) => e.entityId.key.startsWith('list-'));
    expect(listed).toEqual([
      expect.objectContaining({ entityId: { name: 'counter', key: 'list-l1' }, state: 1 }),
      expect.objectContaining({ entityId: { name: 'counter', key: 'list-l2' }, state: 1 }),
      expect.objectContaining({ entityId: { name: 'counter', key: 'list-l3' }, state: 1 }),
    ]);
    expect(new Set(seen.map((e) => e.entityId.key)).size).toBe(seen.length);
  });

  test('bad entity requests get problem documents', async () => {
    const unknown = await host.fetch(`${API}/entities/Nope/k?op=add`, { method: 'POST', body: '1' });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    await unknown.arrayBuffer();
    const badJson = await host.fetch(`${API}/entities/Counter/k?op=add`, {
      method: 'POST',
      body: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    await badJson.arrayBuffer();
    const wrongMethod = await host.fetch(`${API}/entities/Counter/k`, { method: 'PUT' });
    expect(wrongMethod.status).toBe(405);
    await wrongMethod.arrayBuffer();
    const badTop = await host.fetch(`${API}/entities/Counter?top=0`);
    expect(badTop.status).toBe(400);
    await badTop.arrayBuffer();
    await host.waitForIdle();
    expect((await readState(host, 'Counter', 'k')).status).toBe(404);
  });
});

describe('entity operations of one key', () => {
  test('queued together run as one batch: one invocation for many operations', async () => {
    const service = createDurableService();
    const host = await startDurableHost({ services: [service] });
    try {
      const executed = (): number =>
        host.logs.lines().filter((l) => l.startsWith("Executed 'Functions.Counter' (Succeeded")).length;
      // Queued within one turn of the event loop, before the dispatcher looks.
      for (let i = 1; i <= 20; i++) service.signalEntity('Counter', 'batched', 'add', String(i));
      await host.waitForIdle();
      expect((await readState(host, 'Counter', 'batched')).body).toBe(210);
      expect(executed()).toBe(1);
    } finally {
      await host.stop();
    }
  });

  test('a failed operation inside a batch is rolled back alone; the operations around it take effect', async () => {
    const service = createDurableService();
    const host = await startDurableHost({ services: [service] });
    try {
      service.signalEntity('Counter', 'mixed', 'add', '1');
      service.signalEntity('Counter', 'mixed', 'addThenFail', '100');
      service.signalEntity('Counter', 'mixed', 'add', '2');
      await host.waitForIdle();
      expect((await readState(host, 'Counter', 'mixed')).body).toBe(3);
      expect((await readState(host, 'Counter', 'mixed-echo')).status).toBe(404);
    } finally {
      await host.stop();
    }
  });

  test('a batch larger than the batch size runs in several invocations, in order', async () => {
    const service = createDurableService({ maxEntityOperationBatchSize: 3 });
    const host = await startDurableHost({ services: [service] });
    try {
      const executed = (): number =>
        host.logs.lines().filter((l) => l.startsWith("Executed 'Functions.Counter' (Succeeded")).length;
      service.signalEntity('Counter', 'ordered', 'add', '5');
      service.signalEntity('Counter', 'ordered', 'delete', null);
      for (let i = 0; i < 5; i++) service.signalEntity('Counter', 'ordered', 'add', '1');
      await host.waitForIdle();
      expect((await readState(host, 'Counter', 'ordered')).body).toBe(5);
      expect(executed()).toBe(3);
    } finally {
      await host.stop();
    }
  });

  test('run strictly one at a time while different keys run in parallel', async () => {
    const host = await startDurableHost({
      services: [createDurableService({ maxEntityOperationBatchSize: 1, maxConcurrentEntities: 4 })],
    });
    try {
      const keys = ['a', 'b', 'c', 'd'];
      await Promise.all(
        keys.flatMap((key) => Array.from({ length: 10 }, () => signal(host, 'Slow', key, 'tick'))),
      );
      await host.waitForIdle();
      const states = await Promise.all(keys.map(async (key) => (await readState(host, 'Slow', key)).body));
      for (const state of states) expect(state).toMatchObject({ count: 10, maxSameKey: 1 });
      // Operations of different keys did overlap, so the per-key limit above is the queue's doing.
      expect(Math.max(...states.map((s) => (s as { maxOverall: number }).maxOverall))).toBeGreaterThan(1);
    } finally {
      await host.stop();
    }
  });
});

describe('a poisoned entity operation', () => {
  test('an operation whose invocation keeps crashing is retried with backoff, then fails alone', async () => {
    const host = await startDurableHost({ services: [createDurableService({ maxCrashAttempts: 3 })] });
    try {
      const crashes = (): number =>
        host.logs
          .lines('error')
          .filter((l) => l.startsWith("Durable: batch of entity '@counter@crash-1' failed")).length;
      const id = await start(host, 'CallCrashingEntity', 'crash-1');
      await host.waitForIdle();
      expect(crashes()).toBe(1);
      await host.advance(999);
      expect(crashes()).toBe(1);
      await host.advance(1);
      expect(crashes()).toBe(2);
      await host.advance(1000);
      expect(crashes()).toBe(3);
      expect((await status(host, id)).runtimeStatus).toBe('Running');
      await host.advance(1000);
      expect(crashes()).toBe(3);
      expect(await status(host, id)).toMatchObject({
        runtimeStatus: 'Completed',
        output: {
          failed:
            "Operation 'get' of entity '@counter@crash-1' crashed its invocation 3 times; it is poisoned and not tried again.",
        },
      });
      expect(host.db.prepare('SELECT COUNT(*) AS n FROM durable_entity_ops').get()).toEqual({ n: 0 });
    } finally {
      await host.stop();
    }
  });
});
