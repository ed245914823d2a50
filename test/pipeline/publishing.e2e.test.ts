/**
 * Publishing is at-least-once and never loses an event: while Event Grid refuses the primary
 * handler's publications, the change feed keeps redelivering the batch (its checkpoint stays
 * before it), and once publishing works again every event reaches the subscribers.
 */
import { LocalDocumentStore } from '@cardflow/local-host';
import { outcomeOf, startApp, type App } from './harness';

let app: App;
const TOPIC_KEY = 'publishing-test-key';
beforeAll(async () => {
  app = await startApp({ settings: { EVENTGRID_TOPIC_KEY: TOPIC_KEY } });
});
afterAll(async () => {
  process.env.EVENTGRID_TOPIC_KEY = TOPIC_KEY;
  await app?.stop();
});

const audited = () =>
  (
    new LocalDocumentStore(app.host.db)
      .container('cardflow', 'views', { partitionKeyPath: '/pk' })
      .query({}) as unknown as Array<{ view?: string; eventId: string }>
  ).filter((d) => d.view === 'audit');

it('retries a batch whose publication failed until it is published, without losing an event', async () => {
  // The topic keeps the key it started with; the publisher now presents another one (401).
  process.env.EVENTGRID_TOPIC_KEY = 'not-the-topic-key';
  const opened = await app.post('/api/accounts', {
    accountId: 'acc-pub',
    ownerId: 'pia',
    ownerName: 'Pia',
    kind: 'user',
  });
  expect((await outcomeOf(app, opened)).status).toBe('succeeded');
  const loaded = await app.post('/api/accounts/acc-pub/loads', { loadId: 'pub-1', amount: 1_000 });
  expect((await outcomeOf(app, loaded)).status).toBe('succeeded');
  // The first batch updated the views before its publication failed; the next waits behind it, and nothing reached the subscribers.
  expect((await app.get('/api/accounts/acc-pub')).body).toMatchObject({ available: 0, version: 1 });
  expect(audited()).toEqual([]);
  await app.host.advance(5_000);
  expect(audited()).toEqual([]);
  const failures = app.host.logs.entries.filter(
    (e) => e.level === 'warn' && /eventHandler failed/.test(e.message),
  );
  expect(failures.length).toBeGreaterThanOrEqual(2);

  process.env.EVENTGRID_TOPIC_KEY = TOPIC_KEY;
  await app.host.advance(60_000);
  expect(
    audited()
      .map((a) => a.eventId)
      .sort(),
  ).toEqual((await app.stores.events.readStream('account-acc-pub')).map((e) => e.id).sort());
  // The held-back batch went through; redelivered batches changed no view twice.
  expect((await app.get('/api/accounts/acc-pub')).body).toMatchObject({ available: 1_000, version: 2 });
});
