import { LocalDocumentStoreService } from './docstore';
import { getLocalDatabase } from './docstore/localDatabase';
import { currentHostDb, runInHost } from './hostScope';
import { Database } from './sqlite';
import { createTestHost } from './testHost';
import type { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';

const appRoot = path.join(__dirname, 'test/fixtures/scope-app');
type Probe = { seen: unknown[]; release?: () => void };
const probe = (): Probe => (globalThis as unknown as { __scopeProbe: Probe }).__scopeProbe;

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

describe('host scope', () => {
  it('lets app code reach only its own host, even after that host stopped and another started', async () => {
    const first = await createTestHost({ appRoot, services: [new LocalDocumentStoreService()] });
    // An invocation that outlives its host: it starts on the first host and resumes after the second started.
    const straggler = first.invoke({
      functionName: 'probe',
      triggerData: {
        http: { method: 'POST', url: `${first.baseUrl}/api/probe`, headers: {}, query: {}, params: {} },
      },
    });
    await until(() => probe().seen.length === 1);
    expect(probe().seen[0]).toBe(first.db);

    const release = probe().release!;
    // The first host gives up on the running invocation after its drain time; do not wait for that here.
    const stopping = first.stop();
    await until(() => getLocalDatabase()?.db !== first.db);
    const second = await createTestHost({ appRoot, services: [new LocalDocumentStoreService()] });
    try {
      expect(getLocalDatabase()?.db).toBe(second.db);
      release();
      await straggler.catch(() => undefined);
      expect(probe().seen[1]).toBeUndefined();
    } finally {
      await stopping;
      await second.stop();
    }
  }, 20_000);

  it("keeps the host in a slot of the process's shared AsyncLocalStorage, beside other users' slots", async () => {
    const shared = (globalThis as Record<symbol, unknown>)[
      Symbol.for('shared-async-local-storage')
    ] as AsyncLocalStorage<Record<symbol, unknown>>;
    const other = Symbol.for('test.trace-context');
    const db = new Database(':memory:');
    try {
      await shared.run({ [other]: 'outer trace' }, () =>
        runInHost(db, async () => {
          await new Promise((resolve) => setImmediate(resolve));
          expect(currentHostDb()).toBe(db);
          expect(shared.getStore()?.[other]).toBe('outer trace');
          await shared.run({ ...shared.getStore(), [other]: 'inner trace' }, async () => {
            await new Promise((resolve) => setImmediate(resolve));
            expect(currentHostDb()).toBe(db);
          });
        }),
      );
      expect(currentHostDb()).toBeUndefined();
    } finally {
      db.close();
    }
  });
});
