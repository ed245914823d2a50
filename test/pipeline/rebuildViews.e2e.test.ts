/**
 * `npm run rebuild-views`: after a run of the pipeline on an on-disk database, the script deletes
 * the read models and rebuilds them from the event store; the result equals what the handlers built.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Database } from '@cardflow/local-host';
import { LocalDocumentStore } from '@cardflow/local-host';
import { outcomeOf, REPO_ROOT, startApp } from './harness';

const HOUR = 60 * 60 * 1000;
let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'cardflow-rebuild-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The projections in the views container, without what legitimately differs between two builds. */
function projections(db: Database): unknown[] {
  const views = new LocalDocumentStore(db).container('cardflow', 'views', { partitionKeyPath: '/pk' });
  return (views.query({}) as unknown as Array<Record<string, unknown>>)
    .filter((d) => typeof d.pk === 'string' && /^(account-|transfer-|audit-|approvals$)/.test(d.pk))
    .map((d) =>
      Object.fromEntries(Object.entries(d).filter(([k]) => !k.startsWith('_') && k !== 'recordedAt')),
    )
    .sort((a, b) => `${a.pk}/${a.id}`.localeCompare(`${b.pk}/${b.id}`));
}

it('rebuilds the same views from the event store, printing progress', async () => {
  const dataFile = path.join(dataDir, 'cardflow.db');
  const app = await startApp({ dataFile });
  let before: unknown[];
  try {
    await app.post('/api/accounts', { accountId: 'acc-rb1', ownerId: 'uma', ownerName: 'Uma', kind: 'user' });
    await app.post('/api/accounts', {
      accountId: 'acc-rb2',
      ownerId: 'vic',
      ownerName: 'Vic',
      kind: 'merchant',
    });
    await app.post('/api/accounts/acc-rb1/loads', { loadId: 'rb-load', amount: 400_000 });
    await app.settle();
    await app.post('/api/transfers', {
      transferId: 'tr-rb-small',
      fromAccountId: 'acc-rb1',
      toAccountId: 'acc-rb2',
      amount: 2_500,
      requestedBy: 'uma',
    });
    await app.post('/api/transfers', {
      transferId: 'tr-rb-big',
      fromAccountId: 'acc-rb1',
      toAccountId: 'acc-rb2',
      amount: 200_000,
      requestedBy: 'uma',
    });
    await app.post('/api/transfers', {
      transferId: 'tr-rb-broke',
      fromAccountId: 'acc-rb2',
      toAccountId: 'acc-rb1',
      amount: 900_000,
      requestedBy: 'vic',
    });
    await app.settle();
    const decision = await app.post('/api/transfers/tr-rb-big/decision', {
      decision: 'approve',
      approver: 'walt',
    });
    expect((await outcomeOf(app, decision)).status).toBe('succeeded');
    await app.host.advance(HOUR);
    expect((await app.get('/api/transfers/tr-rb-big')).body.status).toBe('completed');
    before = projections(app.host.db);
    expect(before.length).toBeGreaterThan(20);
  } finally {
    await app.stop();
  }

  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(REPO_ROOT, 'dist/scripts/rebuildViews.js'), '--data-dir', dataDir],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, CARDFLOW_STORE: 'local' },
    },
  );
  expect(stdout).toMatch(/Deleted \d+ view document\(s\)/);
  expect(stdout).toMatch(/5\/5 streams/);
  expect(stdout).toMatch(/Done in \d+ ms: 5 streams, \d+ events replayed, 1 approvals inbox entries/);

  const db = new Database(path.join(dataDir, 'cardflow.db'));
  try {
    expect(projections(db)).toEqual(before);
  } finally {
    db.close();
  }
}, 60_000);
