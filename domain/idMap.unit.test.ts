import fc from 'fast-check';
import { emptyIdMap, idMapEntries, idMapFrom, idMapGet, idMapHas, idMapSet } from './idMap';

const id = fc.integer({ min: 0, max: 400 }).map((n) => `id-${n}`);
const writes = fc.array(fc.tuple(id, fc.integer()), { maxLength: 600 });

describe('IdMap', () => {
  it('answers what a Map answers, for any sequence of writes', () => {
    fc.assert(
      fc.property(writes, fc.array(id, { maxLength: 50 }), (sets, reads) => {
        const model = new Map<string, number>();
        let map = emptyIdMap<number>();
        for (const [key, value] of sets) {
          model.set(key, value);
          map = idMapSet(map, key, value);
        }
        expect(map.size).toBe(model.size);
        for (const key of [...reads, ...model.keys()]) expect(idMapGet(map, key)).toBe(model.get(key));
        expect(new Map(idMapEntries(map))).toEqual(model);
      }),
      { numRuns: 100 },
    );
  });

  it('leaves the map it was given unchanged', () => {
    const before = idMapFrom(Array.from({ length: 100 }, (_, n): [string, number] => [`id-${n}`, n]));
    const after = idMapSet(idMapSet(before, 'id-5', -5), 'id-new', 1);
    expect([idMapGet(before, 'id-5'), idMapHas(before, 'id-new'), before.size]).toEqual([5, false, 100]);
    expect([idMapGet(after, 'id-5'), idMapGet(after, 'id-new'), after.size]).toEqual([-5, 1, 101]);
  });

  it('has one shape for one set of entries, whatever the order they were written in, built at once or not', () => {
    fc.assert(
      fc.property(fc.uniqueArray(id, { maxLength: 300 }), (keys) => {
        const entries = keys.map((key): [string, string] => [key, key]);
        const forward = entries.reduce(
          (map, [key, value]) => idMapSet(map, key, value),
          emptyIdMap<string>(),
        );
        const backward = [...entries]
          .reverse()
          .reduce((map, [key, value]) => idMapSet(map, key, value), emptyIdMap<string>());
        expect(backward).toEqual(forward);
        expect(idMapFrom(entries)).toEqual(forward);
        expect(
          idMapFrom([...entries, ...entries.map(([key]): [string, string] => [key, `${key}!`])]),
        ).toEqual(entries.reduce((map, [key]) => idMapSet(map, key, `${key}!`), forward));
      }),
      { numRuns: 50 },
    );
  });

  it('copies a bounded amount per write however many ids it holds', () => {
    const big = idMapFrom(Array.from({ length: 50_000 }, (_, n): [string, number] => [`load-${n}`, n]));
    const after = idMapSet(big, 'load-new', 1);
    // Nodes of `after` not shared with `big`: only those on the path to one leaf (6 levels at most).
    type Node = { children?: (Node | undefined)[] };
    const fresh = (node: Node | undefined, old: Node | undefined): number =>
      node === undefined || node === old
        ? 0
        : 1 +
          (node.children ?? []).reduce((sum, child, slot) => sum + fresh(child, old?.children?.[slot]), 0);
    expect(fresh(after.root as Node, big.root as Node)).toBeLessThanOrEqual(7);
    expect(fresh(big.root as Node, big.root as Node)).toBe(0);
  });
});
