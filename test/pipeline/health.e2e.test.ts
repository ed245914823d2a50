/**
 * GET /api/health and /api/health/live on the test host, through the real app: anyone may ask, the
 * checks follow the pipeline (the feeds' lag once commands and events were handled), a store that
 * stops answering makes the instance unhealthy (503), and publishing failures degrade it.
 */
import type { Views } from '../../stores';
import { outcomeOf, startApp, type App } from './harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const compiledViews = require('../../dist/stores/views') as { ContainerViews: { prototype: Views } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const compiledPublisher = require('../../dist/stores/eventPublisher') as {
  EventGridEventPublisher: { prototype: { publish(events: unknown[]): Promise<void> } };
};

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.stop());

const anonymous = { authorization: '' };

describe('health', () => {
  it('answers liveness to anyone', async () => {
    const live = await app.get('/api/health/live', anonymous);
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'alive', checkedAt: expect.any(String) });
  });

  it('is healthy, with each feed’s lag once it was handled', async () => {
    const opened = await app.post('/api/accounts', {
      accountId: 'acc-hl-1',
      ownerId: 'alice',
      ownerName: 'Alice',
      kind: 'user',
    });
    expect((await outcomeOf(app, opened)).status).toBe('succeeded');
    const health = await app.get('/api/health', anonymous);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'healthy',
      checks: {
        store: { status: 'healthy' },
        commands: { status: 'healthy', lagMs: expect.any(Number) },
        events: { status: 'healthy', lagMs: expect.any(Number) },
        publishing: { status: 'healthy' },
      },
    });
  });

  it('is degraded while publishing fails, and healthy once it works again', async () => {
    const publish = jest
      .spyOn(compiledPublisher.EventGridEventPublisher.prototype, 'publish')
      .mockRejectedValue(new Error('the topic is unreachable (staged)'));
    const opened = await app.post('/api/accounts', {
      accountId: 'acc-hl-2',
      ownerId: 'bob',
      ownerName: 'Bob',
      kind: 'user',
    });
    await app.host.advance(1_000);
    const health = await app.get('/api/health', anonymous);
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.checks.publishing.detail).toMatch(/topic is unreachable/);
    publish.mockRestore();
    expect((await outcomeOf(app, opened)).status).toBe('succeeded');
    await app.host.advance(60_000);
    expect((await app.get('/api/health', anonymous)).body.checks.publishing.status).toBe('healthy');
  });

  it('is unhealthy (503) when the store stops answering', async () => {
    const get = jest
      .spyOn(compiledViews.ContainerViews.prototype, 'get')
      .mockRejectedValue(new Error('store down (staged)'));
    try {
      const health = await app.get('/api/health', anonymous);
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'unhealthy', checks: { store: { status: 'unhealthy' } } });
    } finally {
      get.mockRestore();
    }
  });
});
