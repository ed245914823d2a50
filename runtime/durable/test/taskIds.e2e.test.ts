import fc from 'fast-check';
import type { TestHost } from '../../testHost';
import { advance, start, startDurableHost, status } from './helpers';

// The SDK and the backend must number tasks alike, retries and their timers included; if they
// disagree the orchestration gets the wrong results or waits forever. These runs mix retried and
// plain activities so that several completions, failures and retry timers share episodes.
describe('task ids agree with the SDK', () => {
  let host: TestHost;
  let run = 0;
  beforeAll(async () => {
    host = await startDurableHost();
  });
  afterAll(async () => {
    await host.stop();
  });

  test('retried activities in a Task.all deliver every result to the right task', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        async (failTimes, maxAttempts) => {
          const key = `ids-${run++}`;
          const id = await start(host, 'RetryFanOut', { key, failTimes, maxAttempts });
          await host.waitForIdle();
          await advance(host, 60_000);
          const result = await status(host, id);
          expect(result.runtimeStatus).toBe('Completed');
          const firstFailing = failTimes.findIndex((n) => n >= maxAttempts);
          const output = result.output as { results: unknown; after: string };
          expect(output.after).toBe('Hello after!');
          if (firstFailing === -1) {
            expect(output.results).toEqual(
              failTimes.flatMap((n, i) => [{ attempt: n + 1 }, `Hello ${key}-${i}!`]),
            );
          } else {
            // Task.all fails with the first failure to arrive: some exhausted retry's last attempt.
            expect((output.results as { failed: string }).failed).toMatch(
              new RegExp(`^Activity function 'Flaky' failed: attempt ${maxAttempts} failed$`),
            );
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  test('a retried activity that outlives a Task.any keeps its ids while new work is scheduled', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        async (failTimes, maxAttempts) => {
          const key = `race-${run++}`;
          const id = await start(host, 'RetryRace', { key, failTimes, maxAttempts });
          await host.waitForIdle();
          await advance(host, 60_000);
          const result = await status(host, id);
          expect(result.runtimeStatus).toBe('Completed');
          const output = result.output as { first: unknown; next: string; late: unknown };
          expect(output.next).toBe('Hello next!');
          expect(output.late).toEqual(
            failTimes < maxAttempts
              ? { attempt: failTimes + 1 }
              : `Activity function 'Flaky' failed: attempt ${maxAttempts} failed`,
          );
        },
      ),
      { numRuns: 12 },
    );
  });
});
