import fc from 'fast-check';
import { compareRoutePrecedence, matchRoute, parseRouteTemplate, RouteTemplateError } from './routeTemplate';

const match = (template: string, path: string): Record<string, string> | undefined =>
  matchRoute(parseRouteTemplate(template), path);

describe('route templates', () => {
  test('bind parameters from their segments, decoded', () => {
    expect(match('api/accounts/{id}/cards/{cardId}', '/api/accounts/a%2Fb/cards/c%20d')).toEqual({
      id: 'a/b',
      cardId: 'c d',
    });
  });

  test('ignore a trailing slash and compare literals case-insensitively', () => {
    expect(match('api/Accounts', '/API/accounts/')).toEqual({});
  });

  test('reject extra or missing segments', () => {
    expect(match('api/a/{id}', '/api/a')).toBeUndefined();
    expect(match('api/a/{id}', '/api/a/1/2')).toBeUndefined();
  });

  test('treat optional and default parameters as present or absent at the end', () => {
    expect(match('api/items/{id?}', '/api/items')).toEqual({});
    expect(match('api/items/{id?}', '/api/items/3')).toEqual({ id: '3' });
    expect(match('api/items/{page=1}', '/api/items')).toEqual({ page: '1' });
    expect(match('api/items/{id:int?}', '/api/items/x')).toBeUndefined();
  });

  test('take the rest of the path into a catch-all, or nothing', () => {
    expect(match('api/files/{*path}', '/api/files/a/b/c')).toEqual({ path: 'a/b/c' });
    expect(match('api/files/{**path}', '/api/files')).toEqual({});
  });

  test('check inline constraints', () => {
    expect(match('x/{n:int}', '/x/-12')).toEqual({ n: '-12' });
    expect(match('x/{n:int}', '/x/99999999999')).toBeUndefined();
    expect(match('x/{n:long}', '/x/99999999999')).toEqual({ n: '99999999999' });
    expect(match('x/{b:bool}', '/x/TRUE')).toEqual({ b: 'TRUE' });
    expect(match('x/{g:guid}', '/x/nope')).toBeUndefined();
    expect(match('x/{a:alpha:minlength(2)}', '/x/a')).toBeUndefined();
    expect(match('x/{a:alpha:maxlength(3)}', '/x/abc')).toEqual({ a: 'abc' });
    expect(match('x/{a:length(2,3)}', '/x/abcd')).toBeUndefined();
    expect(match('x/{n:range(1,10)}', '/x/10')).toEqual({ n: '10' });
    expect(match('x/{n:min(5)}', '/x/4')).toBeUndefined();
    expect(match('x/{n:max(5)}', '/x/5')).toEqual({ n: '5' });
    expect(match('x/{d:double}', '/x/1.5e3')).toEqual({ d: '1.5e3' });
    expect(match('x/{d:datetime}', '/x/2026-01-01')).toEqual({ d: '2026-01-01' });
    expect(match('x/{c:regex(^[a-z]{{2}}-\\d+$)}', '/x/ab-12')).toEqual({ c: 'ab-12' });
    expect(match('x/{c:regex(^[a-z]{{2}}-\\d+$)}', '/x/abc-12')).toBeUndefined();
  });

  test('match segments that mix literals and parameters', () => {
    expect(match('files/{name}.{ext}', '/files/report.final.pdf')).toEqual({
      name: 'report',
      ext: 'final.pdf',
    });
  });

  test('reject malformed templates with a clear error', () => {
    expect(() => parseRouteTemplate('a/{id')).toThrow(RouteTemplateError);
    expect(() => parseRouteTemplate('a/{*rest}/b')).toThrow('catch-all parameter must be the last segment');
    expect(() => parseRouteTemplate('a/{id}/{ID}')).toThrow('appears twice');
    expect(() => parseRouteTemplate('a/{id:nonsense}')).toThrow('unknown constraint "nonsense"');
    expect(() => parseRouteTemplate('a/{id?}/b')).toThrow('optional parameter must be at the end');
    expect(() => parseRouteTemplate('a//b')).toThrow('empty segment');
  });

  test('order literals before constrained parameters, parameters, and catch-alls', () => {
    const templates = ['api/{*rest}', 'api/{id}', 'api/{id:int}', 'api/list'].map((t) =>
      parseRouteTemplate(t),
    );
    expect(templates.sort(compareRoutePrecedence).map((t) => t.template)).toEqual([
      'api/list',
      'api/{id:int}',
      'api/{id}',
      'api/{*rest}',
    ]);
  });

  test('give back every value that was put into a path (property)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
    const value = fc.string({ minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        fc.uniqueArray(name, { minLength: 1, maxLength: 4, selector: (n) => n.toLowerCase() }),
        fc.array(value, { minLength: 4, maxLength: 4 }),
        (names, values) => {
          const template = parseRouteTemplate(`api/${names.map((n) => `lit${n}/{${n}}`).join('/')}`);
          const path = `/api/${names.map((n, i) => `lit${n}/${encodeURIComponent(values[i])}`).join('/')}`;
          expect(matchRoute(template, path)).toEqual(Object.fromEntries(names.map((n, i) => [n, values[i]])));
        },
      ),
    );
  });

  test('a catch-all gives back any path below it (property)', () => {
    const segment = fc.string({ minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
        const path = `/static/${segments.map(encodeURIComponent).join('/')}`;
        expect(match('static/{*rest}', path)).toEqual({ rest: segments.join('/') });
      }),
    );
  });
});
