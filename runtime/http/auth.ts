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

/** The Durable route table for the SDK's own calls (`rpcBaseUrl`): no key, this machine only. */
export const DURABLE_RPC_PATH = '/runtime/durabletask-rpc';

/**
 * Who may call a host-owned `/runtime/...` route: `systemKey` (Azure's per-extension system keys;
 * here the master key stands in for them), `machine` (Azure's loopback-only extension RPC endpoint),
 * or `own` (the route checks its own credentials, e.g. Event Grid's aeg-sas-key).
 */
export type SystemRouteAccess = 'systemKey' | 'machine' | 'own';

/** Access rule of a host route by path prefix; undefined for paths outside `/runtime/` (the app's routes). */
export function systemRouteAccess(pathname: string): SystemRouteAccess | undefined {
  // Lower-cased so no spelling of a path slips past the rule (services match case-sensitively).
  const path = pathname.toLowerCase();
  if (path !== '/runtime' && !path.startsWith('/runtime/')) return undefined;
  if (path === DURABLE_RPC_PATH || path.startsWith(`${DURABLE_RPC_PATH}/`)) return 'machine';
  if (path.startsWith('/runtime/eventgrid/topics/')) return 'own';
  // The app's OTLP exporter sends its spans from this machine (the host points it here).
  if (path === '/runtime/otlp' || path.startsWith('/runtime/otlp/')) return 'machine';
  return 'systemKey';
}

export type SystemRouteVerdict = { ok: true } | { ok: false; status: 401 | 403; detail: string };

/**
 * The one check in front of the host's own routes: with keys configured, `systemKey` routes need
 * the master key (`x-functions-key` or `?code=`); in dev mode they are open. `machine` routes answer
 * only connections from this machine, in every mode.
 */
export function authorizeSystemRoute(
  access: SystemRouteAccess,
  keys: HostKeys,
  req: IncomingMessage,
  url: URL,
): SystemRouteVerdict {
  if (access === 'own') return { ok: true };
  if (access === 'machine') {
    return isFromThisMachine(req.socket.remoteAddress, req.socket.localAddress)
      ? { ok: true }
      : { ok: false, status: 403, detail: 'This endpoint answers only requests from this machine.' };
  }
  return isAuthorized('admin', keys, req, url)
    ? { ok: true }
    : {
        ok: false,
        status: 401,
        detail: 'This host route needs the master key (x-functions-key header or code query parameter).',
      };
}

/** True for a loopback peer (127.0.0.0/8, ::1, IPv4-mapped loopback) or a peer on the server's own address. */
export function isFromThisMachine(remote: string | undefined, local: string | undefined): boolean {
  if (!remote) return false;
  const address = remote.startsWith('::ffff:') ? remote.slice('::ffff:'.length) : remote;
  if (address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)) return true;
  return local !== undefined && remote === local;
}
