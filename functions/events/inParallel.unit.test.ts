import { inParallel } from './inParallel';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('inParallel', () => {
  test('results in the order of the items, at most `limit` running at once', async () => {
    let running = 0;
    let most = 0;
    const results = await inParallel([5, 1, 4, 2, 3, 6, 7], 3, async (n) => {
      most = Math.max(most, ++running);
      for (let i = 0; i < n; i++) await tick();
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 60, 70]);
    expect(most).toBe(3);
  });

  test('the first failure rejects once the started items have settled, and no new item starts', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const run = inParallel([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 2) throw new Error('item 2 failed');
      for (let i = 0; i < 3; i++) await tick();
      settled.push(n);
      return n;
    });
    await expect(run).rejects.toThrow('item 2 failed');
    // 1 was running when 2 failed: it finished before the rejection; 3 and later never started.
    expect(settled).toContain(1);
    expect(started.length).toBeLessThanOrEqual(3);
    expect(started).not.toContain(4);
  });

  test('nothing to do is no work, and a limit above the items is fine', async () => {
    expect(await inParallel([], 16, async () => 1)).toEqual([]);
    expect(await inParallel(['a'], 16, async (s) => s.toUpperCase())).toEqual(['A']);
  });

  test.each([0, -1, 1.5, Number.NaN])(
    'a limit of %p is refused rather than running nothing',
    async (limit) => {
      const work = jest.fn(async () => 1);
      await expect(inParallel([1, 2], limit, work)).rejects.toThrow(/limit must be a whole number/);
      expect(work).not.toHaveBeenCalled();
    },
  );
});
