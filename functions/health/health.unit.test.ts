import type { Views } from '../../stores';
import { checkHealth, MAX_FEED_LAG_MS } from './health';
import { feedHandled, publishFailed, publishSucceeded, resetSignals } from './signals';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const answering = { get: async () => undefined } as unknown as Views;
const down = {
  get: async () => {
    throw new Error('connect ECONNREFUSED');
  },
} as unknown as Views;

beforeEach(() => resetSignals());

describe('the health of an instance', () => {
  it('is healthy when the store answers and nothing has been handled yet', async () => {
    const health = await checkHealth({ views: answering, now: () => NOW });
    expect(health.status).toBe('healthy');
    expect(Object.keys(health.checks)).toEqual(['store', 'commands', 'events', 'publishing']);
    expect(health.checks.store.latencyMs).toEqual(expect.any(Number));
    expect(health.checkedAt).toBe('2026-06-01T12:00:00.000Z');
  });

  it('is unhealthy when the store does not answer, and says why', async () => {
    const health = await checkHealth({ views: down, now: () => NOW });
    expect(health.status).toBe('unhealthy');
    expect(health.checks.store.detail).toMatch(/does not answer: connect ECONNREFUSED/);
  });

  it('is degraded when a change feed falls more than a minute behind, healthy again when it catches up', async () => {
    feedHandled('events', MAX_FEED_LAG_MS + 30_000, NOW);
    let health = await checkHealth({ views: answering, now: () => NOW });
    expect(health.status).toBe('degraded');
    expect(health.checks.events).toMatchObject({
      status: 'degraded',
      lagMs: 90_000,
      detail: expect.stringMatching(/90 s after/),
    });
    feedHandled('events', 120, NOW + 1000);
    health = await checkHealth({ views: answering, now: () => NOW });
    expect(health.status).toBe('healthy');
  });

  it('is degraded while publishing to Event Grid keeps failing', async () => {
    publishFailed(new Error('getaddrinfo ENOTFOUND topic'));
    publishFailed(new Error('getaddrinfo ENOTFOUND topic'));
    let health = await checkHealth({ views: answering, now: () => NOW });
    expect(health.checks.publishing).toMatchObject({ status: 'degraded', consecutiveFailures: 2 });
    expect(health.checks.publishing.detail).toMatch(/ENOTFOUND topic/);
    publishSucceeded();
    health = await checkHealth({ views: answering, now: () => NOW });
    expect(health.checks.publishing.status).toBe('healthy');
  });

  it('reports the backlog when given, degraded at its bound (new commands are refused)', async () => {
    let health = await checkHealth({
      views: answering,
      now: () => NOW,
      backlog: { measure: { commands: 3, oldestAgeMs: 1_500, refreshedAt: NOW }, maxCommands: 10 },
    });
    expect(health.status).toBe('healthy');
    expect(health.checks.backlog).toEqual({
      status: 'healthy',
      detail: '3 accepted command(s) not handled yet, below the bound of 10',
      commands: 3,
      maxCommands: 10,
      oldestAgeMs: 1_500,
      measuredAt: '2026-06-01T12:00:00.000Z',
    });
    health = await checkHealth({
      views: answering,
      now: () => NOW,
      backlog: { measure: { commands: 10, oldestAgeMs: 40_000 }, maxCommands: 10 },
    });
    expect(health.status).toBe('degraded');
    expect(health.checks.backlog).toMatchObject({ status: 'degraded', commands: 10 });
    expect(health.checks.backlog.detail).toMatch(/429 backlog_full/);
  });

  it('takes the worst check: an unreachable store wins over a lagging feed', async () => {
    feedHandled('commands', MAX_FEED_LAG_MS * 2, NOW);
    expect((await checkHealth({ views: down, now: () => NOW })).status).toBe('unhealthy');
  });
});
