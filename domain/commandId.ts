import { sha256Hex } from './sha256';

/**
 * Canonical JSON: object keys sorted at every depth, no whitespace, `undefined` members dropped
 * (as JSON.stringify does), so equal values always serialise to the same text.
 *
 * @example canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError('canonical JSON has no representation for NaN or Infinity');
    }
    if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
      throw new TypeError(`canonical JSON cannot represent a ${typeof value}`);
    }
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${members.join(',')}}`;
}

/**
 * The id of a command: SHA-256 (hex) of the canonical JSON of `{type, payload}`, so a repeated
 * identical request is the same command and is stored once.
 *
 * @example commandId('CloseAccount', { accountId: 'acc-1' }) // 64 hex characters, always the same
 */
export function commandId(type: string, payload: unknown): string {
  return sha256Hex(canonicalJson({ type, payload }));
}
