/**
 * `Prefer: wait=N`: which header values ask for a wait, and how a waiting read re-answers. The route
 * over real HTTP is in test/pipeline/readWait.e2e.test.ts.
 */
import type { HttpResponseInit } from '@azure/functions';
import { answerAfterWait, MAX_WAIT_SECONDS, preferredWait, WAIT_RECHECK_MS } from './waitPreference';

describe('preferredWait', () => {
  it.each<[string | null, number | undefined]>([
    ['wait=10', 10],
    ['WAIT = 7', 7],
    ['wait="3"', 3],
    ['respond-async, wait=5', 5],
    ['wait=5; foo=bar', 5],
    ['wait=2, wait=9', 2], // only the first counts
    [`wait=${MAX_WAIT_SECONDS + 1}`, MAX_WAIT_SECONDS],
    ['wait=99999999999', MAX_WAIT_SECONDS],
    ['wait=0', undefined],
    ['wait=-1', undefined],
    ['wait=1.5', undefined],
    ['wait=soon', undefined],
    ['wait', undefined],
    ['wait=soon, wait=5', undefined],
    ['foo="a, wait=2, b"', undefined], // a comma inside a quoted value separates nothing
    ['foo="a, b", wait=4', 4],
    ['respond-async', undefined],
    ['', undefined],
    [null, undefined],
  ])('Prefer: %p → %p', (header, seconds) => {
    expect(preferredWait(header)).toBe(seconds);
  });
});

describe('answerAfterWait', () => {
  const ok = (status: string): HttpResponseInit => ({ status: 200, body: JSON.stringify({ status }) });
  const notFound: HttpResponseInit = { status: 404, body: JSON.stringify({ code: 'transfer_not_found' }) };
  const moving = (body: { status: string } | undefined) => body === undefined || body.status === 'requested';

  it('answers at once, with Preference-Applied, when the first answer has settled', async () => {
    const written = jest.fn(async () => true);
    const answer = await answerAfterWait({
      seconds: 5,
      answer: async () => ok('completed'),
      moving,
      written,
    });
    expect(answer).toMatchObject({ status: 200, headers: { 'Preference-Applied': 'wait=5' } });
    // The wait for a write begins before the read (so none is missed), and is then not waited on.
    expect(written).toHaveBeenCalledTimes(1);
  });

  it('answers again after each write until the answer settles, unknown counting as moving', async () => {
    const answers = [notFound, ok('requested'), ok('completed')];
    const written = jest.fn(async () => true);
    const answer = await answerAfterWait({
      seconds: 5,
      answer: async () => answers.shift()!,
      moving,
      written,
    });
    expect(JSON.parse(answer.body as string)).toEqual({ status: 'completed' });
    expect(written).toHaveBeenCalledTimes(3);
    for (const [withinMs] of written.mock.calls as unknown as number[][])
      expect(withinMs).toBeLessThanOrEqual(WAIT_RECHECK_MS);
  });

  it('answers what it has once the time is up, and waits no longer than the time left', async () => {
    const waits: number[] = [];
    const started = Date.now();
    const answer = await answerAfterWait({
      seconds: 1,
      answer: async () => notFound,
      moving,
      written: async (withinMs) => {
        waits.push(withinMs);
        await new Promise((resolve) => setTimeout(resolve, withinMs));
        return false;
      },
    });
    expect(answer).toMatchObject({ status: 404, headers: { 'Preference-Applied': 'wait=1' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(1_000 + WAIT_RECHECK_MS);
    expect(Math.max(...waits)).toBeLessThanOrEqual(WAIT_RECHECK_MS);
    expect(waits.length).toBeGreaterThanOrEqual(Math.floor(1_000 / WAIT_RECHECK_MS));
  });
});
