/** The decision on a new command, from the backlog counted now and the settings' bound. */
import { backlogFull, decideOnCommand } from './backPressure';

const limits = { maxCommands: 500, retryAfterSeconds: 5 };

describe('the back-pressure decision', () => {
  it('admits below the bound', () => {
    expect(decideOnCommand({ commands: 0, oldestAgeMs: 0 }, limits)).toEqual({ admit: true });
    expect(decideOnCommand({ commands: 499, oldestAgeMs: 60_000 }, limits)).toEqual({ admit: true });
  });

  it('refuses at and above the bound, saying how far behind and when to come back', () => {
    for (const commands of [500, 501, 10_000]) {
      const decision = decideOnCommand({ commands, oldestAgeMs: 12_400 }, limits);
      expect(decision).toMatchObject({ admit: false, retryAfterSeconds: 5 });
      if (decision.admit) throw new Error('expected a refusal');
      expect(decision.detail).toContain(`${commands} accepted commands`);
      expect(decision.detail).toContain('the bound is 500');
      expect(decision.detail).toContain('the oldest waits 12 s');
    }
  });

  it('follows the configured bound and Retry-After', () => {
    expect(
      decideOnCommand({ commands: 1, oldestAgeMs: 0 }, { maxCommands: 1, retryAfterSeconds: 30 }),
    ).toMatchObject({ admit: false, retryAfterSeconds: 30 });
  });

  it('answers a refusal as 429 problem+json with Retry-After and the code backlog_full', () => {
    const answer = backlogFull({ admit: false, retryAfterSeconds: 9, detail: 'behind' });
    expect(answer.status).toBe(429);
    expect(answer.headers).toEqual({ 'content-type': 'application/problem+json', 'retry-after': '9' });
    expect(JSON.parse(answer.body as string)).toEqual({
      type: 'https://cardflow.dev/problems/backlog_full',
      title: 'Too Many Requests',
      status: 429,
      code: 'backlog_full',
      detail: 'behind',
    });
  });
});
