/**
 * The app on two worker threads (FUNCTIONS_WORKER_PROCESS_COUNT = 2), through the host's real
 * paths: HTTP triggers, the Durable HTTP API, entities, activities and the document store through
 * the app-host seam. The fixture's entity batches and orchestration episodes each hold a lock file
 * of their entity or instance while they run, so two workers running one of them at once would
 * leave a line in the overlaps file. The worker thread script is the build's (`npm test` builds).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { createTestHost, type TestHost } from '../testHost';
import { API, start, status } from '../durable/test/helpers';
import { LocalDocumentStore } from '../docstore/documentStore';

const APP = path.join(__dirname, '../test/fixtures/workers-app');

async function signal(host: TestHost, key: string, amount: number): Promise<void> {
  const res = await host.fetch(`${API}/entities/Counter/${key}?op=add`, {
    method: 'POST',
    body: JSON.stringify(amount),
    headers: { 'content-type': 'application/json' },
  });
  await res.arrayBuffer();
  if (res.status !== 202) throw new Error(`signal ${key}: ${res.status}`);
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the app on two worker threads', () => {
  let dir: string;
  let locks: string;
  let host: TestHost;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'workers-'));
    locks = path.join(dir, 'locks');
    mkdirSync(locks);
    process.env.WORKERS_APP_LOCKS = locks;
    host = await createTestHost({ appRoot: APP, settings: { FUNCTIONS_WORKER_PROCESS_COUNT: '2' } });
  });
  afterAll(async () => {
    await host?.stop();
    delete process.env.WORKERS_APP_LOCKS;
    rmSync(dir, { recursive: true, force: true });
  });

  test('the host says so at start and runs two threads, neither of them its own', () => {
    expect(host.logs.lines().some((l) => l.includes('The app runs on 2 worker threads'))).toBe(true);
    const ids = host.workerThreadIds();
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    expect(ids).not.toContain(threadId);
  });

  test('HTTP calls made together are spread over both workers', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const res = await host.fetch('/api/whoami');
        expect(res.status).toBe(200);
        return ((await res.json()) as { threadId: number }).threadId;
      }),
    );
    expect(new Set(answers)).toEqual(new Set(host.workerThreadIds()));
  });

  test('the document store answers a worker through the seam: writes, reads, the virtual clock and a refusal with its status', async () => {
    const note = { id: 'n1', pk: 'p', text: 'hello' };
    const created = await host.fetch('/api/documents', { method: 'POST', body: JSON.stringify(note) });
    expect(created.status).toBe(200);
    const body = (await created.json()) as { threadId: number; etag: string; read: unknown; now: number };
    expect(host.workerThreadIds()).toContain(body.threadId);
    expect(body.read).toMatchObject({ ...note, _etag: body.etag });
    expect(body.now).toBe(host.clock.now());
    // Written into the host's own database, in the container the app named.
    const row = host.db
      .prepare(
        `SELECT COUNT(*) AS n FROM doc_items JOIN doc_containers USING (cid)
         WHERE database = 'workers' AND name = 'notes' AND id = 'n1'`,
      )
      .get() as { n: number };
    expect(row.n).toBe(1);

    const again = await host.fetch('/api/documents', { method: 'POST', body: JSON.stringify(note) });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ name: 'DocumentStoreError', status: 409 });
  });

  test('what a worker stores is JSON, as in one thread: toJSON applied, methods left out', async () => {
    const note = { id: 'n2', pk: 'p', withExtras: true };
    const res = await host.fetch('/api/documents', { method: 'POST', body: JSON.stringify(note) });
    expect(res.status).toBe(200);
    const { read } = (await res.json()) as { read: Record<string, unknown> };
    expect(read.amount).toBe('12.34 EUR');
    expect(read).not.toHaveProperty('helper');
  });

  test("a container opened without a partition key path is the container's own, known after the first answer", async () => {
    const res = await host.fetch('/api/documentsUnnamed?id=n1&pk=p');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ before: null, after: '/pk', read: { id: 'n1', text: 'hello' } });
  });

  test('store calls are judged as in one thread: a partition key that is no key is refused; a name that cannot cross is refused, not left hanging', async () => {
    const res = await host.fetch('/api/oddStoreCalls');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, { error?: string; status?: number | null }>;
    expect(body.dateKey).toEqual({ error: 'DocumentStoreError', status: 400 });
    expect(body.oddName.error).toEqual(expect.any(String));
  });

  test('no entity batch and no orchestration episode runs on two workers at once', async () => {
    const keys = ['a', 'b', 'c', 'd'];
    const perKey = 60;
    const ids = Array.from({ length: 30 }, (_, i) => `steps-${i}`);
    await Promise.all([
      ...keys.flatMap((key) => Array.from({ length: perKey }, () => signal(host, key, 1))),
      ...ids.map((id) => start(host, 'Steps', undefined, id)),
    ]);
    const threads = new Set<number>();
    for (const key of keys) {
      const state = await until(
        async () => {
          const res = await host.fetch(`${API}/entities/Counter/${key}`);
          return res.status === 200
            ? ((await res.json()) as { count: number; threads: number[] })
            : undefined;
        },
        (s) => s?.count === perKey,
        `counter ${key}`,
      );
      state!.threads.forEach((t) => threads.add(t));
    }
    for (const id of ids) {
      const done = await until(
        () => status(host, id),
        (s) => s.runtimeStatus !== 'Running' && s.runtimeStatus !== 'Pending',
        id,
      );
      expect(done.runtimeStatus).toBe('Completed');
      const output = done.output as Array<{ n: number; threadId: number }>;
      expect(output.map((s) => s.n)).toEqual([1, 2, 3]);
      output.forEach((s) => threads.add(s.threadId));
    }
    // Both workers took part, and none ever met another running the same entity or instance.
    expect(threads).toEqual(new Set(host.workerThreadIds()));
    expect(existsSync(`${locks}.overlaps`) ? readFileSync(`${locks}.overlaps`, 'utf8') : '').toBe('');
  });

  test("the change feed reaches the workers in order within every partition, one lease's batches one after the other", async () => {
    const feed = new LocalDocumentStore(host.db, { clock: host.clock }).container('workers', 'feed', {
      partitionKeyPath: '/pk',
    });
    for (let seq = 1; seq <= 60; seq++) feed.create({ id: `doc-${seq}`, pk: `p${seq % 3}`, seq });
    const lines = await until(
      async () =>
        existsSync(`${locks}.feed`) ? readFileSync(`${locks}.feed`, 'utf8').trim().split('\n') : [],
      (seen) => seen.length >= 60,
      'the feed',
    );
    const delivered = lines.map((line) => line.split(' ').map((part, i) => (i === 0 ? part : Number(part))));
    expect(delivered).toHaveLength(60);
    for (const pk of ['p0', 'p1', 'p2']) {
      const seqs = delivered.filter(([p]) => p === pk).map(([, seq]) => seq as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs).toHaveLength(20);
    }
    expect(new Set(delivered.map(([, , thread]) => thread))).toEqual(new Set(host.workerThreadIds()));
  });

  test('a worker whose thread ends fails only its own call; the host starts another and goes on', async () => {
    const before = host.workerThreadIds();
    const res = await host.fetch('/api/exitWorker', { method: 'POST' });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const after = await until(
      async () => host.workerThreadIds(),
      (ids) => ids.length === 2 && ids.some((id) => !before.includes(id)),
      'the replacement worker',
    );
    expect(after.filter((id) => before.includes(id))).toHaveLength(1);
    expect(host.logs.lines('error').some((l) => /Worker \d of the app stopped \(exit code 7\)/.test(l))).toBe(
      true,
    );
    const served = await Promise.all(Array.from({ length: 10 }, () => host.fetch('/api/whoami')));
    expect(served.map((r) => r.status)).toEqual(Array(10).fill(200));
  });

  test('a call made while every worker has ended waits for a replacement instead of failing', async () => {
    const exits = await Promise.all([
      host.fetch('/api/exitWorker', { method: 'POST' }),
      host.fetch('/api/exitWorker', { method: 'POST' }),
    ]);
    expect(exits.map((r) => r.status)).toEqual([500, 500]);
    const res = await host.fetch('/api/whoami');
    expect(res.status).toBe(200);
    await until(
      async () => host.workerThreadIds(),
      (ids) => ids.length === 2,
      'two workers again',
    );
  });

  test('a replacement that cannot load the app is tried again until it can', async () => {
    writeFileSync(`${locks}.fail-load`, '');
    try {
      await (await host.fetch('/api/exitWorker', { method: 'POST' })).arrayBuffer();
      await until(
        async () =>
          host.logs.lines('error').filter((l) => /could not be started again .*trying again in/.test(l)),
        (lines) => lines.length > 0,
        'a failed restart',
      );
      expect(host.workerThreadIds()).toHaveLength(1);
    } finally {
      rmSync(`${locks}.fail-load`);
    }
    await until(
      async () => host.workerThreadIds(),
      (ids) => ids.length === 2,
      'two workers again',
    );
  });

  test('a worker that ends soon after each start is restarted after a doubling wait, not in a loop', async () => {
    writeFileSync(`${locks}.crash-after-load`, '');
    const stops = (): number =>
      host.logs
        .lines('error')
        .filter((l) => /stopped \(exit code 1\) after an error outside any invocation/.test(l)).length;
    const before = stops();
    try {
      await (await host.fetch('/api/exitWorker', { method: 'POST' })).arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      // Restarted at once each time, it ended about every 100 ms (30 in 3 s); with the wait, at most three.
      expect(stops() - before).toBeGreaterThanOrEqual(1);
      expect(stops() - before).toBeLessThanOrEqual(3);
      expect(
        host.logs.lines('error').some((l) => /Starting another in \d+ s \(it ran \d+ ms\)/.test(l)),
      ).toBe(true);
    } finally {
      rmSync(`${locks}.crash-after-load`);
    }
    await until(
      async () => host.workerThreadIds(),
      (ids) => ids.length === 2,
      'two workers again',
    );
  }, 40_000);

  test('an activity that ends its worker fails its attempt; the retry runs on a live worker and the orchestration completes', async () => {
    const marker = path.join(dir, 'exit-once');
    const id = await start(host, 'SurvivesWorkerExit', marker, 'survives');
    // The retry waits on a durable timer (100 ms of the host's virtual clock).
    const done = await until(
      async () => {
        await host.advance(200);
        return status(host, id);
      },
      (s) => s.runtimeStatus !== 'Running' && s.runtimeStatus !== 'Pending',
      id,
    );
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toMatch(/^second attempt on thread \d+$/);
    const exitedOn = Number(readFileSync(marker, 'utf8'));
    expect(host.workerThreadIds()).not.toContain(exitedOn);
    await until(
      async () => host.workerThreadIds(),
      (ids) => ids.length === 2,
      'the replacement worker',
    );
  });
});

describe('starting and stopping the app on worker threads', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'workers-start-'));
    mkdirSync(path.join(dir, 'locks'));
    process.env.WORKERS_APP_LOCKS = path.join(dir, 'locks');
  });
  afterEach(() => {
    delete process.env.WORKERS_APP_LOCKS;
    rmSync(dir, { recursive: true, force: true });
  });

  test("every worker runs the app's appStart hooks when it loads and its appTerminate hooks when the host stops", async () => {
    const host = await createTestHost({ appRoot: APP, settings: { FUNCTIONS_WORKER_PROCESS_COUNT: '3' } });
    const ids = host.workerThreadIds();
    await host.stop();
    const hooks = readFileSync(path.join(dir, 'locks.hooks'), 'utf8').trim().split('\n').sort();
    expect(ids).toHaveLength(3);
    expect(hooks).toEqual([...ids.map((id) => `start ${id}`), ...ids.map((id) => `terminate ${id}`)].sort());
  });

  const hooks = (): string[] => {
    const file = path.join(dir, 'locks.hooks');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
  };

  test('a worker that ends after it loaded but before the others had is failed and replaced, not left to take calls', async () => {
    process.env.WORKERS_APP_EXIT_EARLY = '1';
    try {
      const host = await createTestHost({
        appRoot: APP,
        masterKey: 'test-master-key',
        settings: { FUNCTIONS_WORKER_PROCESS_COUNT: '2' },
      });
      try {
        const answers = await Promise.all(Array.from({ length: 10 }, () => host.fetch('/api/whoami')));
        expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
        // The replacement started before the topic generated its key, and has it all the same.
        const keys = await Promise.all(
          Array.from(
            { length: 10 },
            async () => ((await (await host.fetch('/api/envKey')).json()) as { key: string }).key,
          ),
        );
        expect(keys).toEqual(Array(10).fill(process.env.EVENTGRID_TOPIC_KEY));
        expect(
          host.logs.lines('error').some((l) => /Worker \d of the app stopped \(exit code 5\)/.test(l)),
        ).toBe(true);
        await until(
          async () => host.workerThreadIds(),
          (ids) => ids.length === 2,
          'two workers again',
        );
      } finally {
        await host.stop();
      }
    } finally {
      delete process.env.WORKERS_APP_EXIT_EARLY;
    }
  });

  test('stopping while a replacement loads ends it too: no app code runs after the stop', async () => {
    const host = await createTestHost({ appRoot: APP, settings: { FUNCTIONS_WORKER_PROCESS_COUNT: '2' } });
    writeFileSync(path.join(dir, 'locks.slow-load'), '');
    await (await host.fetch('/api/exitWorker', { method: 'POST' })).arrayBuffer();
    await host.stop();
    const atStop = hooks();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(hooks()).toEqual(atStop);
    expect(atStop.filter((l) => l.startsWith('start'))).toHaveLength(2);
  });

  test('a call waiting for a worker when the host stops is answered that the host is stopping, at once', async () => {
    const host = await createTestHost({ appRoot: APP, settings: { FUNCTIONS_WORKER_PROCESS_COUNT: '2' } });
    writeFileSync(path.join(dir, 'locks.fail-load'), '');
    await Promise.all([
      host.fetch('/api/exitWorker', { method: 'POST' }).then((r) => r.arrayBuffer()),
      host.fetch('/api/exitWorker', { method: 'POST' }).then((r) => r.arrayBuffer()),
    ]);
    const waiting = host.fetch('/api/whoami');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const began = Date.now();
    await host.stop();
    expect(Date.now() - began).toBeLessThan(3_000);
    const res = await waiting;
    expect(res.status).toBe(500);
    expect(
      host.logs.lines('error').some((l) => /The host is stopping: no worker thread takes the call/.test(l)),
    ).toBe(true);
  });

  test('a host that fails to start ends its workers without their appTerminate hooks, as in one thread', async () => {
    const failing = {
      name: 'failing',
      start: () => Promise.reject(new Error('no start')),
      stop: () => undefined,
    };
    await expect(
      createTestHost({
        appRoot: APP,
        services: [failing],
        settings: { FUNCTIONS_WORKER_PROCESS_COUNT: '2' },
      }),
    ).rejects.toThrow('no start');
    expect(hooks().sort()).toEqual([
      expect.stringMatching(/^start \d+$/),
      expect.stringMatching(/^start \d+$/),
    ]);
  });

  test("the workers see what a service put into the host's environment at start (the topic's generated key)", async () => {
    const host = await createTestHost({
      appRoot: APP,
      masterKey: 'test-master-key',
      settings: { FUNCTIONS_WORKER_PROCESS_COUNT: '2', WORKERS_APP_OWN: 'from-host' },
    });
    try {
      const generated = process.env.EVENTGRID_TOPIC_KEY;
      expect(generated).toEqual(expect.any(String));
      const answers = await Promise.all(
        Array.from(
          { length: 10 },
          async () => (await (await host.fetch('/api/envKey')).json()) as { threadId: number; key: string },
        ),
      );
      expect(new Set(answers.map((a) => a.threadId)).size).toBe(2);
      expect(answers.map((a) => a.key)).toEqual(Array(10).fill(generated));
    } finally {
      await host.stop();
    }
  });

  test('an app that cannot load on the workers stops the start with the reason the worker found', async () => {
    await expect(
      createTestHost({
        appRoot: path.join(__dirname, '../test/fixtures/missing-main-app'),
        settings: { FUNCTIONS_WORKER_PROCESS_COUNT: '2' },
      }),
    ).rejects.toMatchObject({
      name: 'AppLoadError',
      message: expect.stringMatching(/The app's entry point dist\/not-built-yet\.js .* does not exist/),
    });
  });

  test('a worker count that is not a whole number from 1 to 10 stops the start, naming the setting', async () => {
    await expect(
      createTestHost({ appRoot: APP, settings: { FUNCTIONS_WORKER_PROCESS_COUNT: '0' } }),
    ).rejects.toThrow('FUNCTIONS_WORKER_PROCESS_COUNT must be a whole number from 1 to 10, not "0".');
  });
});
