import { startApp, type App } from './harness';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.stop());

it('opens an account and loads credits', async () => {
  const opened = await app.post('/api/accounts', { accountId: 'acc-1', ownerId: 'alice', ownerName: 'Alice', kind: 'user' });
  expect(opened.status).toBe(202);
  await app.settle();
  const loaded = await app.post('/api/accounts/acc-1/loads', { loadId: 'load-1', amount: 10_000 });
  expect(loaded.status).toBe(202);
  await app.settle();
  console.log(JSON.stringify((await app.get(opened.body.statusUrl.replace(/^http:\/\/[^/]+/, ''))).body));
  console.log(JSON.stringify((await app.get('/api/accounts/acc-1')).body));
  console.log(JSON.stringify((await app.get('/api/accounts/acc-1/statement')).body));
  console.log(app.host.logs.entries.slice(-30).map((e) => `${e.level} ${e.message}`).join("\n"));
});
