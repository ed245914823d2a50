/** Redirect targets the host accepts from a request: same-origin paths only, never a protocol-relative URL. */

const BASE = 'http://same-origin.invalid';

/**
 * `target` as a path on this origin, or `fallback` when it would leave it.
 *
 * @example
 * sameOriginPath('/api/dashboard/?x=1', '/'); // '/api/dashboard/?x=1'
 * sameOriginPath('//evil.example/', '/');     // '/'
 * sameOriginPath('https://evil.example/', '/'); // '/'
 */
export function sameOriginPath(target: string | null | undefined, fallback: string): string {
  if (!target || !target.startsWith('/') || target.startsWith('//') || target.includes('\\')) return fallback;
  let url: URL;
  try {
    url = new URL(target, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
