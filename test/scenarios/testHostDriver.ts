/** The simulator's driver for a test host: settling waits until the host is idle, time is the virtual clock. */
import type { TestHost } from '@cardflow/local-host';
import type { Driver } from '../../simulator/api';

export function testHostDriver(host: TestHost): Driver {
  return {
    baseUrl: host.baseUrl,
    settle: () => host.waitForIdle({ timeoutMs: 20_000 }),
    now: () => host.clock.now(),
    waitUntil: async (at) => {
      if (at > host.clock.now()) await host.advance(at - host.clock.now());
    },
    virtualTime: true,
  };
}
