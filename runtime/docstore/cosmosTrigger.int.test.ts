import { mkdtempSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../sqlite';
import fc from 'fast-check';
import { VirtualClock } from '../clock';
import { createTestHost, type TestHost } from '../testHost';
import { CosmosDBTriggerService } from './cosmosTriggerService';
import { LocalDocumentStoreService } from './localDocumentStoreService';
import { LocalDocumentStore, type LocalContainer, type StoredDocument } from './documentStore';
import { getLocalDatabase } from './localDatabase';

const APP = join(__dirname, 'test/fixtures/change-feed-app');

interface Delivery {
  functionName: string;
  documents: Array<{ id: string; pk?: string; seq?: number; lsn: number }>;
  failed: boolean;
}
const fixture = ((globalThis as Record<string, unknown>).changeFeedFixture ??= {
  deliveries: [],
  failures: {},
}) as {
  deliveries: Delivery[];
  failures: Record<string, number>;
};

function delivered(
  functionName: string,
  { includeFailed = false } = {},
): Array<{ id: string; pk?: string; seq?: number }> {
  return fixture.deliveries
    .filter((d) => d.functionName === functionName && (includeFailed || !d.failed))
    .flatMap((d) => d.documents.map(({ id, pk, seq }) => ({ id, pk, seq })));
}

let dir: string;
const hosts: TestHost[] = [];

async function startHost(
  options: { dataFile?: string; clock?: VirtualClock } = {},
): Promise<{ host: TestHost; items: LocalContainer }> {
  const host = await createTestHost({
    appRoot: APP,
    services: [new LocalDocumentStoreService(), new CosmosDBTriggerService({ retryDelayMs: 1000 })],
    settings: { FIXTURE_DATABASE: 'cardflow' },
    dataFile: options.dataFile,
    clock: options.clock,
  });
  hosts.push(host);
  const items = new LocalDocumentStore(host.db, { clock: host.clock }).container('cardflow', 'items', {
    partitionKeyPath: '/pk',
  });
  return { host, items };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cardflow-trigger-'));
  fixture.deliveries.length = 0;
  fixture.failures = {};
});

afterEach(async () => {
  for (const host of hosts.splice(0)) await host.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Cosmos DB triggers on the local document store', () => {
  it('delivers the latest version of each change, in order within every partition, in bounded batches', async () => {
    const { host, items } = await startHost();
    for (let seq = 1; seq <= 12; seq++) items.create({ id: `doc-${seq}`, pk: `p${seq % 3}`, seq });
    items.upsert({ id: 'doc-2', pk: 'p2', seq: 13 });
    await host.waitForIdle();

    const seen = delivered('projectItems');
    expect(seen).toHaveLength(12);
    for (const pk of ['p0', 'p1', 'p2']) {
      const inPartition = seen.filter((d) => d.pk === pk).map((d) => d.seq);
      expect(inPartition).toEqual([...inPartition].sort((a, b) => (a ?? 0) - (b ?? 0)));
    }
    expect(seen.find((d) => d.id === 'doc-2')?.seq).toBe(13);
    const batches = fixture.deliveries.filter((d) => d.functionName === 'projectItems');
    expect(batches.every((b) => b.documents.length <= 3)).toBe(true);
    const lsns = batches.flatMap((b) => b.documents.map((d) => d.lsn));
    expect(lsns).toEqual([...lsns].sort((a, b) => a - b));
  });

  it('gives each function on a container its own lease, checkpointed after success', async () => {
    const { host, items } = await startHost();
    for (let seq = 1; seq <= 5; seq++) items.create({ id: `doc-${seq}`, pk: 'p', seq });
    await host.waitForIdle();
    expect(delivered('projectItems').map((d) => d.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(delivered('auditItems').map((d) => d.seq)).toEqual([1, 2, 3, 4, 5]);
    // auditItems has no maxItemsPerInvocation: Azure's default of 100 takes all five at once.
    expect(fixture.deliveries.filter((d) => d.functionName === 'auditItems')).toHaveLength(1);
    const leases = new LocalDocumentStore(host.db).container('cardflow', 'leases');
    const last = items.lastLsn();
    expect(leases.read('project-cardflow.items', 'project-cardflow.items')).toMatchObject({
      continuation: last,
    });
    expect(leases.read('audit-cardflow.items', 'audit-cardflow.items')).toMatchObject({ continuation: last });
  });

  it('retries a batch whose handler threw, after a backoff on the host clock, and never skips past it', async () => {
    const { host, items } = await startHost();
    fixture.failures.projectItems = 2;
    for (let seq = 1; seq <= 5; seq++) items.create({ id: `doc-${seq}`, pk: 'p', seq });
    await host.waitForIdle();

    // The other function is not held up; the failing one stays on its first batch.
    expect(delivered('auditItems').map((d) => d.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(delivered('projectItems')).toEqual([]);
    expect(delivered('projectItems', { includeFailed: true }).map((d) => d.seq)).toEqual([1, 2, 3]);
    expect(
      host.logs.lines('warn').some((l) => /projectItems failed on 3 change\(s\).*retried in 1000 ms/.test(l)),
    ).toBe(true);

    await host.advance(999);
    expect(fixture.deliveries.filter((d) => d.functionName === 'projectItems')).toHaveLength(1);
    await host.advance(1);
    expect(fixture.deliveries.filter((d) => d.functionName === 'projectItems')).toHaveLength(2);
    await host.advance(2000); // the backoff doubled
    expect(delivered('projectItems').map((d) => d.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(delivered('projectItems', { includeFailed: true }).map((d) => d.seq)).toEqual([
      1, 2, 3, 1, 2, 3, 1, 2, 3, 4, 5,
    ]);
  });

  it('resumes from the checkpoint after a host restart: nothing lost, nothing skipped, failed batches redelivered', async () => {
    const dataFile = join(dir, 'cardflow.db');
    const first = await startHost({ dataFile });
    for (let seq = 1; seq <= 4; seq++) first.items.create({ id: `doc-${seq}`, pk: 'p', seq });
    await first.host.waitForIdle();
    fixture.failures.projectItems = 1;
    first.items.create({ id: 'doc-5', pk: 'p', seq: 5 });
    await first.host.waitForIdle();
    expect(delivered('projectItems').map((d) => d.seq)).toEqual([1, 2, 3, 4]);
    await first.host.stop();

    // Changes made while no host runs.
    const offline = new Database(dataFile);
    const items = new LocalDocumentStore(offline).container('cardflow', 'items');
    for (let seq = 6; seq <= 8; seq++) items.create({ id: `doc-${seq}`, pk: 'q', seq });
    offline.close();

    fixture.deliveries.length = 0;
    const second = await startHost({ dataFile });
    await second.host.waitForIdle();
    expect(delivered('projectItems').map((d) => d.seq)).toEqual([5, 6, 7, 8]);
    expect(delivered('auditItems').map((d) => d.seq)).toEqual([6, 7, 8]);
  });

  it('takes its own leases back at once after a crash, but leaves a live foreign owner alone', async () => {
    const dataFile = join(dir, 'cardflow.db');
    const first = await startHost({ dataFile });
    first.items.create({ id: 'doc-1', pk: 'p', seq: 1 });
    await first.host.waitForIdle();
    await first.host.stop();

    // As a crash leaves them: still owned, recently renewed. One by this host, one by another machine.
    const offline = new Database(dataFile);
    const store = new LocalDocumentStore(offline);
    const leases = store.container('cardflow', 'leases');
    const own = leases.read('project-cardflow.items', 'project-cardflow.items') as StoredDocument;
    leases.replace({ ...own, owner: `${hostname()}:${dataFile}`, renewedAt: Date.now() });
    const foreign = leases.read('audit-cardflow.items', 'audit-cardflow.items') as StoredDocument;
    leases.replace({ ...foreign, owner: 'other-machine:cardflow.db', renewedAt: Date.now() });
    store.container('cardflow', 'items').create({ id: 'doc-2', pk: 'p', seq: 2 });
    offline.close();

    fixture.deliveries.length = 0;
    const second = await startHost({ dataFile });
    await second.host.waitForIdle();
    expect(delivered('projectItems').map((d) => d.seq)).toEqual([2]);
    expect(delivered('auditItems')).toEqual([]);
  });

  it('keeps the documents in a database file of their own when configured so', async () => {
    const docsFile = join(dir, 'documents.db');
    const host = await createTestHost({
      appRoot: APP,
      services: [new LocalDocumentStoreService({ dataFile: docsFile }), new CosmosDBTriggerService()],
      settings: { FIXTURE_DATABASE: 'cardflow' },
    });
    hosts.push(host);
    const published = getLocalDatabase();
    expect(published?.db.name).toBe(docsFile);
    new LocalDocumentStore(published!.db)
      .container('cardflow', 'items', { partitionKeyPath: '/pk' })
      .create({ id: 'x', pk: 'p', seq: 1 });
    await host.waitForIdle();
    expect(delivered('projectItems').map((d) => d.id)).toEqual(['x']);
    expect(host.db.prepare("SELECT name FROM sqlite_master WHERE name = 'doc_items'").get()).toBeUndefined();
    await host.stop();
    expect(getLocalDatabase()).toBeUndefined();
    expect(published?.db.open).toBe(false);
  });

  it('delivers every change exactly once successfully, in order, whatever the failures', async () => {
    const scenario = fc.record({
      partitions: fc.array(fc.constantFrom('p', 'q', 'r'), { minLength: 1, maxLength: 12 }),
      failures: fc.integer({ min: 0, max: 4 }),
      failAgainAfter: fc.integer({ min: 0, max: 12 }),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ partitions, failures, failAgainAfter }) => {
        fixture.deliveries.length = 0;
        fixture.failures = { projectItems: failures };
        const { host, items } = await startHost();
        try {
          partitions.forEach((pk, i) => {
            if (i === failAgainAfter) fixture.failures.projectItems = 1;
            items.create({ id: `doc-${i}`, pk, seq: i });
          });
          for (let round = 0; round < 8; round++) await host.advance(60_000);
          const ok = delivered('projectItems');
          expect(ok.map((d) => d.seq)).toEqual(partitions.map((_, i) => i));
          expect(
            fixture.deliveries
              .filter((d) => d.functionName === 'projectItems' && !d.failed)
              .every((d) => d.documents.length <= 3),
          ).toBe(true);
          expect(delivered('auditItems').map((d) => d.seq)).toEqual(partitions.map((_, i) => i));
        } finally {
          await host.stop();
          hosts.splice(hosts.indexOf(host), 1);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('wakes at once on a local write and is idle only when every function has caught up', async () => {
    const { host, items } = await startHost();
    await host.waitForIdle();
    const service = new LocalDocumentStore(host.db).container('cardflow', 'items');
    service.create({ id: 'late', pk: 'p', seq: 1 });
    expect(items.countChanges(0)).toBe(1);
    await host.waitForIdle();
    expect(delivered('projectItems').map((d) => d.id)).toEqual(['late']);
    expect(delivered('auditItems').map((d) => d.id)).toEqual(['late']);
  });
});
