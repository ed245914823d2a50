import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sha256Hex } from './sha256';

const reference = (text: string) => createHash('sha256').update(text).digest('hex');

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 examples and block boundaries', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    for (const n of [55, 56, 63, 64, 65, 119, 120, 1000])
      expect(sha256Hex('a'.repeat(n))).toBe(reference('a'.repeat(n)));
  });

  it('agrees with node:crypto on any text, multi-byte characters included', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => sha256Hex(text) === reference(text)));
  });
});
