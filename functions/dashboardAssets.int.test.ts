import { HttpRequest } from '@azure/functions';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveAsset, resolveWebRoot, sameOriginPath, serveDashboard } from './dashboardAssets';

// A web root of our own, with a secret beside it, so the tests do not depend on the build.
const root = mkdtempSync(path.join(tmpdir(), 'cardflow-dashboard-'));
const web = path.join(root, 'web');
mkdirSync(path.join(web, 'dist'), { recursive: true });
writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>t</title>');
writeFileSync(path.join(web, 'styles.css'), 'body{}');
writeFileSync(path.join(web, 'dist', 'main.js'), 'export {};');
writeFileSync(path.join(web, 'main.ts'), 'source');
writeFileSync(path.join(web, 'tsconfig.json'), '{}');
writeFileSync(path.join(web, '.env'), 'SECRET=1');
writeFileSync(path.join(root, 'secret.html'), 'outside');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function get(
  pathParam: string | undefined,
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<ReturnType<typeof serveDashboard> extends Promise<infer R> ? R : never> {
  const params: Record<string, string> = pathParam === undefined ? {} : { path: pathParam };
  return serveDashboard(
    new HttpRequest({ method, url: `http://127.0.0.1:7071${url}`, params, headers }),
    web,
  );
}

function header(response: { headers?: unknown }, name: string): string | undefined {
  return new Headers(response.headers as Record<string, string>).get(name) ?? undefined;
}

describe('serveDashboard', () => {
  it('serves the page at the folder URL with its content type, CSP and revalidation', async () => {
    const response = await get('', '/api/dashboard/');
    expect(response.status).toBe(200);
    expect(header(response, 'content-type')).toBe('text/html; charset=utf-8');
    expect(header(response, 'cache-control')).toBe('no-cache');
    expect(header(response, 'content-security-policy')).toContain("default-src 'self'");
    expect(Buffer.from(response.body as Uint8Array).toString()).toBe('<!doctype html><title>t</title>');
  });

  it('redirects /api/dashboard to the folder URL so relative links resolve', async () => {
    const response = await get(undefined, '/api/dashboard?pollMs=500');
    expect(response.status).toBe(308);
    expect(header(response, 'location')).toBe('/api/dashboard/?pollMs=500');
  });

  it.each([
    ['//api/dashboard', '/api/dashboard/'],
    ['///api/dashboard?pollMs=500', '/api/dashboard/?pollMs=500'],
    ['//api//dashboard', '/api/dashboard/'],
  ])('redirects %s to a path on this origin, never a protocol-relative URL', async (target, location) => {
    const response = await get(undefined, target);
    expect(response.status).toBe(308);
    expect(header(response, 'location')).toBe(location);
  });

  it('serves stylesheets and compiled modules with their types', async () => {
    expect(header(await get('styles.css', '/api/dashboard/styles.css'), 'content-type')).toBe(
      'text/css; charset=utf-8',
    );
    const script = await get('dist/main.js', '/api/dashboard/dist/main.js');
    expect(script.status).toBe(200);
    expect(header(script, 'content-type')).toBe('text/javascript; charset=utf-8');
    expect(header(script, 'content-security-policy')).toBeUndefined();
  });

  it('answers 304 when the browser already has the file', async () => {
    const first = await get('styles.css', '/api/dashboard/styles.css');
    const etag = header(first, 'etag') as string;
    expect(etag).toMatch(/^".+"$/);
    const again = await get('styles.css', '/api/dashboard/styles.css', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await get('styles.css', '/api/dashboard/styles.css', {}, 'HEAD');
    expect(response.status).toBe(200);
    expect(response.body).toBeUndefined();
  });

  it.each([
    ['../secret.html'],
    ['..%2Fsecret.html'],
    ['%2e%2e/secret.html'],
    ['dist/../../secret.html'],
    ['..\\secret.html'],
    ['/etc/passwd'],
    ['.env'],
    ['main.ts'],
    ['tsconfig.json'],
    ['missing.html'],
    ['dist'],
    ['%E0%A4%A'],
    ['index.html%00.css'],
  ])('refuses %s with a 404 problem', async (requested) => {
    const response = await get(requested, `/api/dashboard/${requested}`);
    expect(response.status).toBe(404);
    expect(header(response, 'content-type')).toBe('application/problem+json');
    expect(JSON.parse(String(response.body))).toMatchObject({
      status: 404,
      code: 'not_found',
      title: 'Not Found',
    });
  });
});

describe('resolveAsset', () => {
  it('maps the empty path to the page and keeps files inside the root', () => {
    expect(resolveAsset(web, '')).toEqual({
      file: path.join(web, 'index.html'),
      contentType: 'text/html; charset=utf-8',
    });
    expect(resolveAsset(web, 'dist/main.js')?.file).toBe(path.join(web, 'dist', 'main.js'));
    expect(resolveAsset(web, 'dist//main.js')).toBeUndefined();
  });
});

describe('resolveWebRoot', () => {
  it('finds web/ from the compiled module in dist/functions and from the source in functions/', () => {
    expect(resolveWebRoot(path.join(root, 'dist', 'functions'))).toBe(web);
    expect(resolveWebRoot(path.join(root, 'functions'))).toBe(web);
  });
});

describe('sameOriginPath', () => {
  it.each([
    ['/api/dashboard', '/api/dashboard'],
    ['//evil.example/x', '/evil.example/x'],
    ['/\\evil.example', '/evil.example'],
    ['\\\\evil.example', '/evil.example'],
  ])('%s becomes %s', (input, output) => {
    expect(sameOriginPath(input)).toBe(output);
  });
});
