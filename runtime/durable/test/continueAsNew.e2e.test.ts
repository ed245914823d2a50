import { createDurableService } from '../service';
import { advance, raise, start, startDurableHost, status } from './helpers';

describe('continueAsNew with preserveUnprocessedEvents: false (exactly as Azure)', () => {
  test('drops the events the ending execution received but did not consume; later ones still arrive', async () => {
    const host = await startDurableHost({
      services: [createDurableService({ preserveUnprocessedEvents: false })],
    });
    try {
      const id = await start(host, 'EventSum', { total: 0, target: 10, delayHours: 1 });
      // Raised while the first execution sleeps: one is consumed, two are dropped at continueAsNew.
      for (const value of [1, 2, 3]) expect(await raise(host, id, 'Add', value)).toBe(202);
      await host.waitForIdle();
      await advance(host, 60 * 60 * 1000);
      expect(await status(host, id)).toMatchObject({
        runtimeStatus: 'Running',
        input: { total: 1, target: 10 },
      });
      expect(await raise(host, id, 'Add', 9)).toBe(202);
      await host.waitForIdle();
      expect(await status(host, id)).toMatchObject({ runtimeStatus: 'Completed', output: 10 });
    } finally {
      await host.stop();
    }
  });
});
