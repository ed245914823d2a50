/**
 * The dashboard's static files (web/): where they are, which may be served, and the HTTP answer for
 * one of them. Files are found relative to this compiled module, never the working directory; only
 * known file types inside web/ are served, so sources, configs and anything outside stay unreachable.
 * Registration is in dashboard.ts, so this module can be used without a Functions host.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { problem } from './http/problem';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

// The page talks only to its own origin: no script, style or connection anywhere else.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The web/ folder for a module in `moduleDir`: `dist/functions/` when compiled (two levels up to
 * the app root), `functions/` when run from source by ts-jest (one level up).
 */
export function resolveWebRoot(moduleDir: string = __dirname): string {
  const candidates = [path.resolve(moduleDir, '..', '..', 'web'), path.resolve(moduleDir, '..', 'web')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? candidates[0];
}

export interface DashboardAsset {
  file: string;
  contentType: string;
}

/**
 * Maps the route's `{*path}` to a file under `webRoot`, or undefined when it must not be served:
 * undecodable, hidden or parent segments, backslashes, NUL, or a file type not in the list.
 *
 * @example
 * resolveAsset('/app/web', 'dist/main.js'); // { file: '/app/web/dist/main.js', contentType: 'text/javascript; charset=utf-8' }
 * resolveAsset('/app/web', '../package.json'); // undefined
 */
export function resolveAsset(webRoot: string, requestPath: string): DashboardAsset | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath);
  } catch {
    return undefined;
  }
  if (decoded === '' || decoded === '/') decoded = 'index.html';
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.replace(/^\/+/, '').split('/');
  if (segments.some((segment) => segment === '' || segment.startsWith('.'))) return undefined;
  const contentType = CONTENT_TYPES[path.extname(decoded).toLowerCase()];
  if (!contentType) return undefined;
  const file = path.resolve(webRoot, ...segments);
  const relative = path.relative(webRoot, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return { file, contentType };
}

/**
 * A request path as a redirect target on this origin: runs of slashes (and backslashes, which
 * browsers read as slashes) collapsed, so `//api/dashboard` can never become a protocol-relative
 * `Location` naming another host.
 *
 * @example
 * sameOriginPath('//api//dashboard'); // '/api/dashboard'
 */
export function sameOriginPath(pathname: string): string {
  return `/${pathname.replace(/[/\\]+/g, '/').replace(/^\/+/, '')}`;
}

function notFound(requestPath: string): HttpResponseInit {
  return problem(404, 'not_found', `The dashboard has no file "${requestPath}".`);
}

/** The HTTP handler; `webRoot` is a parameter so tests can point it at a folder of their own. */
export async function serveDashboard(
  request: HttpRequest,
  webRoot: string = resolveWebRoot(),
): Promise<HttpResponseInit> {
  const requestPath = request.params.path ?? '';
  const url = new URL(request.url);
  // The page uses relative URLs, so it must be addressed as a folder: /api/dashboard → /api/dashboard/.
  if (requestPath === '' && !url.pathname.endsWith('/')) {
    return {
      status: 308,
      headers: { location: `${sameOriginPath(url.pathname)}/${url.search}`, 'cache-control': 'no-cache' },
    };
  }
  const asset = resolveAsset(webRoot, requestPath);
  if (!asset) return notFound(requestPath);
  let content: Buffer;
  try {
    content = await readFile(asset.file);
  } catch {
    return notFound(requestPath);
  }
  const etag = `"${createHash('sha256').update(content).digest('base64url').slice(0, 27)}"`;
  const headers: Record<string, string> = {
    'content-type': asset.contentType,
    // Names are not fingerprinted, so browsers revalidate every time; the ETag makes that a 304.
    'cache-control': 'no-cache',
    etag,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  if (asset.contentType.startsWith('text/html')) headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
  const ifNoneMatch = request.headers.get('if-none-match');
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
    return { status: 304, headers };
  }
  return { status: 200, headers, body: request.method === 'HEAD' ? undefined : content };
}
