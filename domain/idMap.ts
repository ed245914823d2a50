/**
 * An immutable map from ids to values whose `idMapSet` copies only the path to one small leaf (a
 * hash trie: 32-way branches, leaves of at most 16 entries), so an aggregate that remembers every
 * id it has seen evolves in O(1) per event instead of copying everything it remembers. Plain
 * objects, no classes; two maps holding the same entries have the same shape (entries sorted by
 * id, a node is a leaf exactly when it holds few entries), so `toEqual` compares them as values.
 *
 * @example
 * const seen = idMapSet(emptyIdMap<number>(), 'load-1', 1_000);
 * idMapGet(seen, 'load-1'); // 1000
 * idMapGet(seen, 'load-2'); // undefined
 */

type Entry<V> = readonly [id: string, value: V];

interface Leaf<V> {
  readonly entries: readonly Entry<V>[];
}

interface Branch<V> {
  /** 32 slots, one per 5 bits of the id's hash at this depth. */
  readonly children: readonly (TrieNode<V> | undefined)[];
}

type TrieNode<V> = Leaf<V> | Branch<V>;

export interface IdMap<V> {
  readonly size: number;
  readonly root: TrieNode<V>;
}

const BITS = 5;
const WIDTH = 1 << BITS;
const LEAF_LIMIT = 16;
/** 6 levels use 30 of the hash's 32 bits; below that, leaves grow (ids with the same hash). */
const MAX_DEPTH = 6;

const EMPTY: IdMap<never> = { size: 0, root: { entries: [] } };

export function emptyIdMap<V>(): IdMap<V> {
  return EMPTY;
}

/** FNV-1a, 32 bits. */
function hashOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const slotOf = (hash: number, depth: number): number => (hash >>> (depth * BITS)) & (WIDTH - 1);

const isLeaf = <V>(node: TrieNode<V>): node is Leaf<V> => 'entries' in node;

export function idMapGet<V>(map: IdMap<V>, id: string): V | undefined {
  const hash = hashOf(id);
  let node: TrieNode<V> | undefined = map.root;
  for (let depth = 0; node && !isLeaf(node); depth++) node = node.children[slotOf(hash, depth)];
  return node?.entries.find((entry) => entry[0] === id)?.[1];
}

export function idMapHas<V>(map: IdMap<V>, id: string): boolean {
  return idMapGet(map, id) !== undefined;
}

/** The map with `id` set to `value` (added or replaced); `map` itself is unchanged. */
export function idMapSet<V>(map: IdMap<V>, id: string, value: V): IdMap<V> {
  const { node, added } = setIn(map.root, id, hashOf(id), 0, value);
  return { size: map.size + (added ? 1 : 0), root: node };
}

function setIn<V>(
  node: TrieNode<V>,
  id: string,
  hash: number,
  depth: number,
  value: V,
): { node: TrieNode<V>; added: boolean } {
  if (isLeaf(node)) {
    const at = node.entries.findIndex((entry) => entry[0] >= id);
    const replaces = at >= 0 && node.entries[at][0] === id;
    const entries = [...node.entries];
    if (replaces) entries[at] = [id, value];
    else entries.splice(at < 0 ? entries.length : at, 0, [id, value]);
    const leaf = { entries };
    return {
      node: entries.length > LEAF_LIMIT && depth < MAX_DEPTH ? split(leaf, depth) : leaf,
      added: !replaces,
    };
  }
  const slot = slotOf(hash, depth);
  const child = setIn(node.children[slot] ?? { entries: [] }, id, hash, depth + 1, value);
  const children = [...node.children];
  children[slot] = child.node;
  return { node: { children }, added: child.added };
}

/** A leaf that outgrew its limit, as a branch of leaves (split again where one is still too full). */
function split<V>(leaf: Leaf<V>, depth: number): Branch<V> {
  const groups: Entry<V>[][] = Array.from({ length: WIDTH }, () => []);
  for (const entry of leaf.entries) groups[slotOf(hashOf(entry[0]), depth)].push(entry);
  return {
    children: groups.map((entries) => {
      if (entries.length === 0) return undefined;
      const child = { entries };
      return entries.length > LEAF_LIMIT && depth + 1 < MAX_DEPTH ? split(child, depth + 1) : child;
    }),
  };
}

/** Every entry, in no particular order (the same order for maps with the same entries). */
export function* idMapEntries<V>(map: IdMap<V>): Generator<Entry<V>> {
  const pending: TrieNode<V>[] = [map.root];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (isLeaf(node)) yield* node.entries;
    else pending.push(...node.children.filter((child) => child !== undefined).reverse());
  }
}

/** The map of these entries (a later entry for an id wins), built in one pass: for snapshots read back. */
export function idMapFrom<V>(entries: Iterable<Entry<V>>): IdMap<V> {
  const unique = new Map<string, V>();
  for (const [id, value] of entries) unique.set(id, value);
  const all = [...unique].map(([id, value]): Entry<V> => [id, value]);
  return { size: all.length, root: build(all, 0) };
}

/** The node holding `entries`: the shape `idMapSet` gives them (a leaf while few, else a branch). */
function build<V>(entries: Entry<V>[], depth: number): TrieNode<V> {
  if (entries.length <= LEAF_LIMIT || depth >= MAX_DEPTH)
    return { entries: entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) };
  const groups: Entry<V>[][] = Array.from({ length: WIDTH }, () => []);
  for (const entry of entries) groups[slotOf(hashOf(entry[0]), depth)].push(entry);
  return { children: groups.map((group) => (group.length === 0 ? undefined : build(group, depth + 1))) };
}
