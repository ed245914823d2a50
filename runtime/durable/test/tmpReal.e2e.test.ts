import { RealClock } from '../../clock';
import { startHost } from '../../host';
import { createDurableService } from '../service';
import { DURABLE_APP, start, status } from './helpers';

test('real clock retry', async () => {
  const host = await startHost({ appRoot: DURABLE_APP, port: 0, dataFile: ':memory:', clock: new RealClock(), services: [createDurableService()], log: { info: () => undefined, warn: () => undefined, error: () => undefined } });
  const t = Date.now();
  const id = await start(host as never, 'Retrying', { key: 'real', failTimes: 1, maxAttempts: 2 });
  for (;;) {
    const s = await status(host as never, id);
    if (s.runtimeStatus !== 'Running' && s.runtimeStatus !== 'Pending') { console.log(s.runtimeStatus, s.output, Date.now() - t); break; }
    await new Promise((r) => setTimeout(r, 50));
  }
  await host.stop();
});
