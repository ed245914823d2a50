import fc from 'fast-check';
import { accountStreamId, AmountSchema, IdSchema, isId, parseStreamId, transferStreamId } from './ids';

describe('ids', () => {
  it.each(['abc', 'acc-1', '0-0', 'a'.repeat(64), 'transfer-2024-000001'])('accepts %j', (id) => {
    expect(IdSchema.safeParse(id).success).toBe(true);
    expect(isId(id)).toBe(true);
  });

  it.each(['ab', '-abc', 'Abc', 'a_b-c', 'a'.repeat(65), 'acc 1', 'acc:1', 'abc\n', 'abc\nxyz', '', 42])(
    'rejects %j',
    (id) => {
      expect(IdSchema.safeParse(id).success).toBe(false);
      expect(isId(id)).toBe(false);
    },
  );

  it('builds and parses stream ids', () => {
    expect(accountStreamId('alice-1')).toBe('account-alice-1');
    expect(transferStreamId('t-100')).toBe('transfer-t-100');
    expect(parseStreamId('account-alice-1')).toEqual({ kind: 'account', id: 'alice-1' });
    expect(parseStreamId('transfer-t-100')).toEqual({ kind: 'transfer', id: 't-100' });
    expect(parseStreamId('merchant-abc')).toBeNull();
    expect(parseStreamId('account-X')).toBeNull();
  });

  it('round-trips every valid id through its stream id', () => {
    const id = fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,63}$/);
    fc.assert(
      fc.property(id, (value) => {
        return (
          parseStreamId(accountStreamId(value))?.id === value &&
          parseStreamId(transferStreamId(value))?.kind === 'transfer'
        );
      }),
      { numRuns: 200 },
    );
  });

  it('accepts amounts of whole cents from 1 to 10^12 only', () => {
    expect(AmountSchema.safeParse(1).success).toBe(true);
    expect(AmountSchema.safeParse(1e12).success).toBe(true);
    expect(AmountSchema.safeParse(1e12 + 1).success).toBe(false);
    expect(AmountSchema.safeParse(0).success).toBe(false);
    expect(AmountSchema.safeParse(1.5).success).toBe(false);
    expect(AmountSchema.safeParse('100').success).toBe(false);
  });
});
