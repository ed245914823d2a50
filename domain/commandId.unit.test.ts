import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalJson, commandId } from './commandId';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }], u: undefined })).toBe(
      '{"a":[2,{"c":4,"d":3}],"b":1}',
    );
    expect(canonicalJson([undefined, null, 'x'])).toBe('[null,null,"x"]');
    expect(canonicalJson('é"')).toBe('"é\\""');
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson({ a: Infinity })).toThrow(TypeError);
    expect(() => canonicalJson(10n)).toThrow(TypeError);
  });

  it('does not depend on key order and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        const reordered = JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
          v && typeof v === 'object' && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v).reverse())
            : v,
        ) as unknown;
        return canonicalJson(reordered) === text && canonicalJson(JSON.parse(text)) === text;
      }),
      { numRuns: 200 },
    );
  });
});

describe('command id', () => {
  it('is the SHA-256 hex of the canonical {type, payload}', () => {
    const expected = createHash('sha256')
      .update('{"payload":{"accountId":"acc-1"},"type":"CloseAccount"}')
      .digest('hex');
    expect(commandId('CloseAccount', { accountId: 'acc-1' })).toBe(expected);
  });

  it('is the same for the same command whatever the key order, and differs otherwise', () => {
    const a = commandId('LoadCredits', { accountId: 'acc-1', loadId: 'load-1', amount: 100 });
    const b = commandId('LoadCredits', { amount: 100, loadId: 'load-1', accountId: 'acc-1' });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(commandId('LoadCredits', { accountId: 'acc-1', loadId: 'load-1', amount: 101 })).not.toBe(a);
    expect(commandId('OpenAccount', { accountId: 'acc-1', loadId: 'load-1', amount: 100 })).not.toBe(a);
  });
});
