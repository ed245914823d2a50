/**
 * The dashboard's and the simulator's API types are generated from the OpenAPI document, which is
 * generated from the zod route schemas: a schema change that is not regenerated fails here, and a
 * regenerated one the client code does not fit fails its type check.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectedContracts, REPO_ROOT, renderContracts, TARGETS, typeOf } from './clientContracts';

const update = process.env.UPDATE_CONTRACTS === '1';

describe.each(TARGETS)('$file', (target) => {
  it('is generated from the current OpenAPI document', () => {
    const file = path.join(REPO_ROOT, target.file);
    const expected = expectedContracts(target);
    if (update) writeFileSync(file, expected);
    const actual = readFileSync(file, 'utf8');
    if (actual !== expected) {
      throw new Error(
        `${target.file} is stale: the API's schemas changed. Regenerate it with ` +
          '`UPDATE_CONTRACTS=1 npx jest test/contracts`, then fix what no longer type-checks.',
      );
    }
  });
});

describe('the generator', () => {
  it('writes JSON schemas as TypeScript types', () => {
    expect(typeOf({ type: 'string', enum: ['a', 'b'] })).toBe('"a" | "b"');
    expect(typeOf({ type: 'array', items: { type: 'integer' } })).toBe('Array<number>');
    expect(typeOf({ type: 'object', additionalProperties: { type: 'string' } })).toBe(
      'Record<string, string>',
    );
    expect(typeOf({})).toBe('unknown');
    expect(
      typeOf({
        type: 'object',
        properties: { id: { type: 'string' }, 'x-y': { const: 1 } },
        required: ['id'],
        additionalProperties: false,
      }),
    ).toBe('{\nid: string;\n"x-y"?: 1;\n}');
    expect(typeOf({ oneOf: [{ type: 'string' }, { type: 'null' }] })).toBe('(string) | (null)');
  });

  it('refuses an operation the document does not have', () => {
    expect(() =>
      renderContracts({ paths: {} }, { file: 'x.ts', client: 'a test', operations: ['getNothing'] }),
    ).toThrow(/no operation getNothing/);
  });
});
