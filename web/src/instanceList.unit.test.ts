import type { InstanceStatus } from './contracts';
import { newestFirst, pageOf } from './instanceList';

const instance = (
  instanceId: string,
  createdTime: string,
  lastUpdatedTime = createdTime,
): InstanceStatus => ({
  name: 'x',
  instanceId,
  runtimeStatus: 'Running',
  input: null,
  customStatus: null,
  output: null,
  createdTime,
  lastUpdatedTime,
});

describe('newestFirst', () => {
  it('orders by creation, newest first, then by last update and id', () => {
    const sorted = newestFirst([
      instance('a', '2026-01-01T00:00:00Z'),
      instance('c', '2026-01-01T02:00:00Z'),
      instance('b', '2026-01-01T01:00:00Z'),
      instance('e', '2026-01-01T00:00:00Z', '2026-01-01T05:00:00Z'),
      instance('d', '2026-01-01T00:00:00Z'),
    ]);
    expect(sorted.map((i) => i.instanceId)).toEqual(['c', 'b', 'e', 'a', 'd']);
  });

  it('does not change the list it is given', () => {
    const list = [instance('a', '2026-01-01T00:00:00Z'), instance('b', '2026-01-02T00:00:00Z')];
    newestFirst(list);
    expect(list.map((i) => i.instanceId)).toEqual(['a', 'b']);
  });
});

describe('pageOf', () => {
  const list = Array.from({ length: 13 }, (_, i) => instance(`i-${i}`, '2026-01-01T00:00:00Z'));

  it('cuts pages and says whether there is a next one', () => {
    expect(pageOf(list, 1, 10)).toMatchObject({ page: 1, pages: 2, hasNext: true });
    expect(pageOf(list, 1, 10).instances).toHaveLength(10);
    expect(pageOf(list, 2, 10)).toMatchObject({ page: 2, hasNext: false });
    expect(pageOf(list, 2, 10).instances.map((i) => i.instanceId)).toEqual(['i-10', 'i-11', 'i-12']);
  });

  it('clamps the page into range, and an empty list has one empty page', () => {
    expect(pageOf(list, 9, 10).page).toBe(2);
    expect(pageOf(list, 0, 10).page).toBe(1);
    expect(pageOf([], 1, 25)).toEqual({ instances: [], page: 1, pages: 1, hasNext: false });
  });
});
