/**
 * The query parameters and continuation tokens of the Durable HTTP API, read as the extension reads
 * them. A bad value is a 400 problem (`ProblemError`), never a 500.
 */
import { ProblemError } from '../http/problem';
import { RUNTIME_STATUSES, type InstanceFilter } from './store';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
export const CONTINUATION_HEADER = 'x-ms-continuation-token';

export function badRequest(detail: string): ProblemError {
  return new ProblemError({ status: 400, title: 'Bad Request', detail });
}

/** A boolean parameter: present without value or `true` is true, `false` is false, absent is undefined. */
export function flag(url: URL, name: string): boolean | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  if (value === '' || value.toLowerCase() === 'true') return true;
  if (value.toLowerCase() === 'false') return false;
  throw badRequest(`${name} must be true or false, got '${value}'.`);
}

/** A duration parameter in seconds (as the extension's create-and-wait takes), in ms. */
export function secondsParam(url: URL, name: string): number | undefined {
  const text = url.searchParams.get(name);
  if (text === null || text === '') return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600)
    throw badRequest(`${name} must be a number of seconds from 0 to 3600, got '${text}'.`);
  return seconds * 1000;
}

/** A date-time parameter in epoch ms. */
export function dateParam(url: URL, name: string): number | undefined {
  const text = url.searchParams.get(name);
  if (text === null || text === '') return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw badRequest(`${name} must be a date-time, got '${text}'.`);
  return ms;
}

/** `top`: the page size of a listing. */
export function pageSizeOf(url: URL): number {
  const topText = url.searchParams.get('top');
  if (topText === null) return DEFAULT_PAGE_SIZE;
  const pageSize = Number(topText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw badRequest(`top must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
  return pageSize;
}

/** The instance filter of a listing or a purge: `runtimeStatus`, `createdTimeFrom/To`, `instanceIdPrefix`. */
export function instanceFilterOf(url: URL): InstanceFilter {
  const filter: InstanceFilter = {};
  const statuses = url.searchParams.get('runtimeStatus');
  if (statuses) {
    filter.runtimeStatus = statuses.split(',').map((s) => {
      const found = RUNTIME_STATUSES.find((r) => r.toLowerCase() === s.trim().toLowerCase());
      if (!found)
        throw badRequest(`Unknown runtimeStatus '${s}'; expected one of ${RUNTIME_STATUSES.join(', ')}.`);
      return found;
    });
  }
  for (const key of ['createdTimeFrom', 'createdTimeTo'] as const) {
    const ms = dateParam(url, key);
    if (ms !== undefined) filter[key] = ms;
  }
  const prefix = url.searchParams.get('instanceIdPrefix');
  if (prefix) filter.instanceIdPrefix = prefix;
  return filter;
}

/** Where the next page of instances starts. */
export interface InstancePageKey {
  createdAt: number;
  instanceId: string;
}

export function encodeInstanceToken(key: InstancePageKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.instanceId])).toString('base64url');
}

export function decodeInstanceToken(token: string): InstancePageKey {
  try {
    const [createdAt, instanceId] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ];
    if (typeof createdAt === 'number' && typeof instanceId === 'string') return { createdAt, instanceId };
  } catch {
    // falls through to the 400 below
  }
  throw badRequest('Invalid x-ms-continuation-token.');
}

/** The entity id (`@name@key`) the next page of entities starts after. */
export function encodeEntityToken(entityId: string): string {
  return Buffer.from(entityId).toString('base64url');
}

export function decodeEntityToken(token: string): string {
  const after = Buffer.from(token, 'base64url').toString('utf8');
  if (!after.startsWith('@')) throw badRequest('Invalid x-ms-continuation-token.');
  return after;
}
