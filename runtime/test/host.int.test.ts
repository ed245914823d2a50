import fs, { existsSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HostContext, HostService } from '../contracts';
import { startHost } from '../host';
import { MemoryLogger } from '../logger';
import { createTestHost } from '../testHost';
import { AppLoadError } from '../worker/loadApp';
import { holdDiskSyncs } from './heldDiskSyncs';

const fixture = (name: string): string => path.join(__dirname, 'fixtures', name);

/** A service with one route and a job queue driven by the host clock: enough to see the host's seams. */
class PingService implements HostService {
  readonly name: string;
  readonly calls: string[];
  ctx?: HostContext;
  private pending = 0;
  done: string[] = [];

  constructor(name: string, calls: string[]) {
    this.name = name;
    this.calls = calls;
  }

  start(ctx: HostContext): void {
    this.ctx = ctx;
    this.calls.push(`start ${this.name}`);
  }

  stop(): void {
    this.calls.push(`stop ${this.name}`);
  }

  async handle(
    req: import('node:http').IncomingMessage,
    res: import('node:http').ServerResponse,
    url: URL,
  ): Promise<boolean> {
    if (url.pathname === `/runtime/${this.name}`) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`pong from ${this.name}`);
      return true;
    }
    if (url.pathname === `/runtime/${this.name}/later` && req.method === 'POST') {
      // Schedules work an hour from now on the host clock; the work itself takes a few real milliseconds.
      const ctx = this.ctx!;
      ctx.clock.schedule(ctx.clock.now() + 3_600_000, () => {
        this.pending++;
        setTimeout(() => {
          this.done.push(new Date(ctx.clock.now()).toISOString());
          this.pending--;
        }, 20);
      });
      res.writeHead(202).end();
      return true;
    }
    return false;
  }

  isIdle(): boolean {
    return this.pending === 0;
  }
}

describe('host services', () => {
  test('start in order with the host context, get requests before the app, and stop in reverse', async () => {
    const calls: string[] = [];
    const first = new PingService('first', calls);
    const second = new PingService('second', calls);
    const host = await createTestHost({ appRoot: fixture('http-app'), services: [first, second] });
    expect(calls).toEqual(['start first', 'start second']);
    expect(first.ctx).toMatchObject({ baseUrl: host.baseUrl, db: host.db, registry: host.registry });
    expect(first.ctx?.registry.byTriggerType('httpTrigger').length).toBeGreaterThan(0);

    expect(await (await host.fetch('/runtime/second')).text()).toBe('pong from second');
    expect(await (await host.fetch('/api/hello')).text()).toBe('Hello, world!');
    expect((await host.fetch('/runtime/unknown')).status).toBe(404);

    await host.stop();
    expect(calls).toEqual(['start first', 'start second', 'stop second', 'stop first']);
    expect(host.db.open).toBe(false);
  });

  test('advance fires due timers on the virtual clock and waits until services are idle', async () => {
    const service = new PingService('jobs', []);
    const host = await createTestHost({ appRoot: fixture('http-app'), services: [service] });
    try {
      expect((await host.fetch('/runtime/jobs/later', { method: 'POST' })).status).toBe(202);
      await host.advance(59 * 60_000);
      expect(service.done).toEqual([]);
      await host.advance(60_000);
      expect(service.done).toEqual(['2026-01-01T01:00:00.000Z']);
    } finally {
      await host.stop();
    }
  });

  test('waitForIdle waits for a busy service and reports it by name when it never settles', async () => {
    let busy = true;
    const service: HostService = {
      name: 'stuck',
      start: () => undefined,
      stop: () => undefined,
      isIdle: () => !busy,
    };
    const host = await createTestHost({ appRoot: fixture('http-app'), services: [service] });
    try {
      await expect(host.waitForIdle({ timeoutMs: 30 })).rejects.toThrow('busy services: stuck');
      setTimeout(() => (busy = false), 20);
      await expect(host.waitForIdle()).resolves.toBeUndefined();
    } finally {
      await host.stop();
    }
  });

  test('holds requests that arrive while services start until the host is ready', async () => {
    const order: string[] = [];
    let answered: Promise<string> | undefined;
    const slow: HostService = {
      name: 'slow',
      async start(ctx) {
        answered = fetch(`${ctx.baseUrl}/api/hello`).then(async (r) => {
          order.push('answered');
          return r.text();
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
        order.push('started');
      },
      stop: () => undefined,
    };
    const host = await createTestHost({ appRoot: fixture('http-app'), services: [slow] });
    try {
      expect(await answered).toBe('Hello, world!');
      expect(order).toEqual(['started', 'answered']);
    } finally {
      await host.stop();
    }
  });

  test('a service that fails to start stops the ones already started and closes everything', async () => {
    const calls: string[] = [];
    const ok = new PingService('ok', calls);
    const broken: HostService = {
      name: 'broken',
      start: () => {
        throw new Error('cannot start');
      },
      stop: () => undefined,
    };
    await expect(createTestHost({ appRoot: fixture('http-app'), services: [ok, broken] })).rejects.toThrow(
      'cannot start',
    );
    expect(calls).toEqual(['start ok', 'stop ok']);
    expect(ok.ctx?.db.open).toBe(false);
  });
});

test('a service whose handler throws gets a 500 problem+json, logged, and the host keeps serving', async () => {
  const faulty: HostService = {
    name: 'faulty',
    start: () => undefined,
    stop: () => undefined,
    handle: async (_req, _res, url) => {
      if (url.pathname === '/runtime/faulty') throw new Error('service bug');
      return false;
    },
  };
  const host = await createTestHost({ appRoot: fixture('http-app'), services: [faulty] });
  try {
    const res = await host.fetch('/runtime/faulty');
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(host.logs.lines('error')).toEqual([expect.stringContaining('service bug')]);
    expect((await host.fetch('/api/hello')).status).toBe(200);
  } finally {
    await host.stop();
  }
});

describe('settings', () => {
  test('loads local.settings.json Values without overriding the environment, and removes them on stop', async () => {
    process.env.RUNTIME_TEST_OVERRIDDEN = 'from the environment';
    const host = await createTestHost({ appRoot: fixture('settings-app'), services: [] });
    try {
      expect(await (await host.fetch('/api/settings')).json()).toEqual({
        greeting: 'from local.settings.json',
        overridden: 'from the environment',
        number: '42',
      });
      expect(host.settings.RUNTIME_TEST_GREETING).toBe('from local.settings.json');
    } finally {
      await host.stop();
      expect(process.env.RUNTIME_TEST_GREETING).toBeUndefined();
      expect(process.env.RUNTIME_TEST_OVERRIDDEN).toBe('from the environment');
      delete process.env.RUNTIME_TEST_OVERRIDDEN;
    }
  });
});

describe('startHost', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'runtime-host-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('opens <dataDir>/cardflow.db in WAL mode, creating the folder', async () => {
    const dataDir = path.join(dir, 'nested', 'data');
    const host = await startHost({
      appRoot: fixture('http-app'),
      services: [],
      port: 0,
      dataDir,
      log: new MemoryLogger(),
    });
    try {
      expect(host.db.name).toBe(path.join(dataDir, 'cardflow.db'));
      expect(host.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(existsSync(path.join(dataDir, 'cardflow.db'))).toBe(true);
      expect(host.port).toBeGreaterThan(0);
      expect((await fetch(`${host.baseUrl}/api/hello`)).status).toBe(200);
    } finally {
      await host.stop();
    }
    await host.stop(); // idempotent
  });

  test('durable by default: an answer waits for the fdatasync of the write-ahead log, which runs off the event loop', async () => {
    const disk = holdDiskSyncs();
    const { held } = disk;
    const syncNow = jest.spyOn(fs, 'fdatasyncSync');
    const host = await startHost({
      appRoot: fixture('durable-app'),
      port: 0,
      dataDir: dir,
      log: new MemoryLogger(),
      settings: { LOCAL_HOST_SQLITE_SYNCHRONOUS: '' },
    });
    try {
      // SQLite does not sync inside COMMIT (NORMAL); the host does, before it answers.
      expect(host.db.pragma('synchronous', { simple: true })).toBe(1);
      for (const { done } of held.splice(0)) done(null);
      let answered = false;
      const start = fetch(`${host.baseUrl}/runtime/webhooks/durabletask/orchestrators/HelloCities`, {
        method: 'POST',
      }).then((response) => {
        answered = true;
        return response;
      });
      const began = Date.now();
      while (held.length === 0 && Date.now() - began < 10_000) await new Promise((r) => setTimeout(r, 5));
      expect(readlinkSync(`/proc/self/fd/${held[0].fd}`)).toBe(path.join(dir, 'cardflow.db-wal'));
      // The event loop runs on while the start waits for the disk (the sync is not the blocking one).
      await new Promise((r) => setTimeout(r, 50));
      expect(answered).toBe(false);
      expect(syncNow).not.toHaveBeenCalled();
      disk.releaseAll();
      expect((await start).status).toBe(202);
    } finally {
      disk.restore();
      syncNow.mockRestore();
      await host.stop();
    }
  });

  test('refuses an app whose package.json main does not exist, with a message that says so', async () => {
    const dataFile = path.join(dir, 'x.db');
    const attempt = startHost({
      appRoot: fixture('missing-main-app'),
      services: [],
      port: 0,
      dataFile,
      log: new MemoryLogger(),
    });
    await expect(attempt).rejects.toThrow(AppLoadError);
    await expect(attempt).rejects.toThrow('dist/not-built-yet.js (package.json "main") does not exist');
  });

  test('refuses a folder without package.json', async () => {
    await expect(
      startHost({ appRoot: dir, services: [], port: 0, dataFile: ':memory:', log: new MemoryLogger() }),
    ).rejects.toThrow(/No package\.json/);
  });

  test('reports a port already in use', async () => {
    const first = await createTestHost({ appRoot: fixture('http-app'), services: [] });
    try {
      await expect(
        startHost({
          appRoot: fixture('http-app'),
          services: [],
          port: first.port,
          dataFile: ':memory:',
          log: new MemoryLogger(),
        }),
      ).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.stop();
    }
  });
});
