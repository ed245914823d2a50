/**
 * At-least-once delivery: the command handler and the primary event handler, each invoked through
 * the host with a batch it already handled, change nothing the second time; and a command that
 * keeps failing ends `failed` and dead-lettered instead of blocking or vanishing.
 */
import { LocalDocumentStore } from '@cardflow/local-host';
import { outcomeOf, startApp, type App } from './harness';

let app: App;
let documents: LocalDocumentStore;
beforeAll(async () => {
  app = await startApp();
  documents = new LocalDocumentStore(app.host.db);
});
afterAll(() => app?.stop());

const container = (name: 'commands' | 'events' | 'views') =>
  documents.container('cardflow', name, {
    partitionKeyPath: name === 'commands' ? '/id' : name === 'events' ? '/streamId' : '/pk',
  });

/** Everything the pipeline wrote, without system properties that change on every write. */
function snapshot(): Record<string, unknown[]> {
  const clean = (docs: Array<Record<string, unknown>>) =>
    docs
      .filter((d) => d.pk !== 'command-attempts')
      .map((d) => Object.fromEntries(Object.entries(d).filter(([k]) => !k.startsWith('_'))))
      .sort((a, b) =>
        `${a.pk ?? a.streamId ?? ''}/${a.id}`.localeCompare(`${b.pk ?? b.streamId ?? ''}/${b.id}`),
      );
  return {
    commands: clean(container('commands').query({}) as never),
    events: clean(container('events').query({}) as never),
    views: clean(container('views').query({}) as never),
    // Transfer processes (the durable backend's tables): a second start would add an instance or history.
    processes: ['durable_instances', 'durable_history'].map(
      (table) => (app.host.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n,
    ),
  };
}

async function seed(): Promise<void> {
  await app.post('/api/accounts', { accountId: 'acc-r1', ownerId: 'rita', ownerName: 'Rita', kind: 'user' });
  await app.post('/api/accounts', { accountId: 'acc-r2', ownerId: 'sam', ownerName: 'Sam', kind: 'user' });
  await app.settle();
  await app.post('/api/accounts/acc-r1/loads', { loadId: 'r-load-1', amount: 20_000 });
  await app.post('/api/accounts/acc-r1/loads', { loadId: 'r-load-2', amount: 150_000 });
  await app.settle();
  const transfer = await app.post('/api/transfers', {
    transferId: 'tr-r1',
    fromAccountId: 'acc-r1',
    toAccountId: 'acc-r2',
    amount: 700,
    requestedBy: 'rita',
  });
  const large = await app.post('/api/transfers', {
    transferId: 'tr-r2',
    fromAccountId: 'acc-r1',
    toAccountId: 'acc-r2',
    amount: 120_000,
    requestedBy: 'rita',
  });
  expect((await outcomeOf(app, transfer)).status).toBe('succeeded');
  expect((await outcomeOf(app, large)).status).toBe('succeeded');
}

describe('redelivery', () => {
  beforeAll(seed);

  it('changes nothing when the command handler gets the same batch of commands again', async () => {
    const before = snapshot();
    const batch = container('commands').query({});
    expect(batch.length).toBeGreaterThanOrEqual(6);
    // As submitted (pending), the way the change feed delivered them first.
    const asDelivered = batch.map(({ status: _s, reason: _r, completedAt: _c, ...command }) => ({
      ...command,
      status: 'pending',
    }));
    await app.host.invoke({
      functionName: 'commandHandler',
      triggerData: { json: JSON.stringify(asDelivered) },
    });
    await app.settle();
    expect(snapshot()).toEqual(before);
  });

  it('appends nothing new when a command whose outcome was lost is executed again', async () => {
    const before = snapshot();
    const commands = container('commands');
    // A crash between the append and recording the outcome: the command is still pending.
    const load = commands
      .query({})
      .find((c) => (c as { type?: string }).type === 'LoadCredits') as unknown as Record<string, unknown>;
    const { _etag, _lsn, _ts, _rid, _self, _attachments, status: _s, completedAt: _c, ...pending } = load;
    void [_etag, _lsn, _ts, _rid, _self, _attachments];
    commands.replace({ ...(pending as { id: string }), status: 'pending' });
    await app.settle();
    const after = snapshot();
    expect(after.events).toEqual(before.events);
    expect(after.views).toEqual(before.views);
    expect((await app.stores.commands.get(load.id as string))?.status).toBe('succeeded');
  });

  it('changes nothing when the primary handler gets the same batch of events again, and starts no second process', async () => {
    const before = snapshot();
    const batch = container('events').query({});
    expect(batch.some((e) => (e as { type?: string }).type === 'TransferRequested')).toBe(true);
    // The whole feed again, and then only its later events (what a retried middle batch looks like).
    await app.host.invoke({ functionName: 'eventHandler', triggerData: { json: JSON.stringify(batch) } });
    await app.host.invoke({
      functionName: 'eventHandler',
      triggerData: { json: JSON.stringify(batch.filter((e) => (e as { version?: number }).version !== 1)) },
    });
    await app.settle();
    const after = snapshot();
    expect(after).toEqual(before);
    // Every event was published again; the audit log still holds exactly one record per event.
    const audited = (container('views').query({}) as Array<{ view?: string }>).filter(
      (d) => d.view === 'audit',
    );
    expect(audited).toHaveLength(batch.length);
  });
});

describe('a command that keeps failing', () => {
  it('is retried with backoff, then marked failed and dead-lettered', async () => {
    // A stream whose stored event is not a valid domain event: every attempt to load it fails.
    container('events').create({
      id: 'account-acc-corrupt:1',
      eventId: 'corrupt-1',
      streamId: 'account-acc-corrupt',
      version: 1,
      type: 'CreditsLoaded',
      data: { accountId: 'acc-corrupt', amount: 'lots' },
      metadata: { correlationId: 'c', causationId: 'c', occurredAt: '2026-01-01T00:00:00.000Z' },
      schemaVersion: 1,
    });
    const load = await app.post('/api/accounts/acc-corrupt/loads', { loadId: 'doomed', amount: 100 });
    expect(load.status).toBe(202);
    expect(await outcomeOf(app, load)).toMatchObject({ status: 'pending' });

    for (let round = 0; round < 8; round++) await app.host.advance(60_000);
    expect(await outcomeOf(app, load)).toMatchObject({ status: 'failed', reason: 'processing_failed' });
    const letters = (await app.get('/api/deadletters')).body.items;
    expect(letters).toEqual([
      expect.objectContaining({
        commandId: load.body.commandId,
        type: 'LoadCredits',
        attempts: 5,
        reason: 'processing_failed',
        lastError: expect.stringContaining('CorruptStreamError'),
      }),
    ]);
    // The feed moves on: a later command is handled.
    const next = await app.post('/api/accounts/acc-r2/loads', { loadId: 'after-poison', amount: 100 });
    expect((await outcomeOf(app, next)).status).toBe('succeeded');
  });
});
