import path from 'node:path';
import { createTestHost } from '../testHost';

const HOOKS_APP = path.join(__dirname, 'fixtures/hooks-app');

interface HookEvent {
  hook: string;
  [key: string]: unknown;
}

test('runs the app’s hooks with the worker’s semantics', async () => {
  const host = await createTestHost({ appRoot: HOOKS_APP, services: [] });
  // Same module instance as the host loaded (jest's registry), so the fixture's record is visible.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { events } = require('./fixtures/hooks-app/index.js') as { events: HookEvent[] };
  try {
    expect(events).toEqual([{ hook: 'appStart' }]);

    // preInvocation may replace the handler; postInvocation sees the hookData of preInvocation.
    const wrapped = await host.fetch('/api/wrapped');
    expect(await wrapped.text()).toBe('wrapped body');
    expect(wrapped.headers.get('x-wrapped')).toBe('yes');
    expect(events.slice(1)).toEqual([
      { hook: 'preInvocation', functionName: 'wrapped', inputs: 1 },
      { hook: 'log', message: 'inside wrapped' },
      { hook: 'postInvocation', functionName: 'wrapped', hookData: { seenByPre: 'wrapped' }, error: null },
    ]);
    // A log hook can rewrite the message the host writes.
    expect(host.logs.lines()).toContain('[Functions.wrapped] [hooked] inside wrapped');

    // postInvocation may clear the error and set the result.
    const rescued = await host.fetch('/api/rescued');
    expect(rescued.status).toBe(200);
    expect(await rescued.text()).toBe('rescued by a hook');
    expect(events.at(-1)).toMatchObject({
      hook: 'postInvocation',
      functionName: 'rescued',
      error: 'fails before the hook rescues it',
    });
  } finally {
    await host.stop();
  }
  // appTerminate shares hookData with appStart.
  expect(events.at(-1)).toEqual({ hook: 'appTerminate', hookData: { startedBy: 'appStart' } });
});
