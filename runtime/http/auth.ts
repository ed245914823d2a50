/**
 * Function keys, as the Functions host checks them. With no keys configured the host is in dev
 * mode and lets every request through, like Core Tools; otherwise `function` routes need a function
 * key or the master key (header `x-functions-key` or query `code`), `admin` routes the master key.
 */
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AuthLevel } from './httpRoutes';

export interface HostKeys {
  functionKeys: string[];
  masterKey?: string;
}

/** Keys from options, else from settings `FUNCTIONS_FUNCTION_KEYS` (comma-separated) and `FUNCTIONS_MASTER_KEY`. */
export function resolveHostKeys(
  options: { functionKeys?: string[]; masterKey?: string },
  settings: Readonly<Record<string, string | undefined>>,
): HostKeys {
  const fromSettings = (settings.FUNCTIONS_FUNCTION_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const functionKeys = options.functionKeys ?? fromSettings;
  const masterKey = options.masterKey ?? (settings.FUNCTIONS_MASTER_KEY || undefined);
  return { functionKeys, masterKey };
}

export function isDevMode(keys: HostKeys): boolean {
  return keys.functionKeys.length === 0 && !keys.masterKey;
}

/** True when the request may call a route of this level. */
export function isAuthorized(level: AuthLevel, keys: HostKeys, req: IncomingMessage, url: URL): boolean {
  if (level === 'anonymous' || isDevMode(keys)) return true;
  const header = req.headers['x-functions-key'];
  const presented = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code') ?? undefined;
  if (!presented) return false;
  if (keys.masterKey && same(presented, keys.masterKey)) return true;
  return level === 'function' && keys.functionKeys.some((k) => same(presented, k));
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
