/**
 * Conversions between node:http and the worker protocol's RpcHttp data, the way the Functions host
 * fills an HTTP trigger's input and turns the function's `http` output back into a response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RpcTypedData } from '../contracts';

interface RpcNullable<T> {
  value?: T | null;
}

export interface RpcHttpCookie {
  name?: string;
  value?: string;
  domain?: RpcNullable<string> | null;
  path?: RpcNullable<string> | null;
  expires?: RpcNullable<{ seconds?: number | string }> | null;
  secure?: RpcNullable<boolean> | null;
  httpOnly?: RpcNullable<boolean> | null;
  sameSite?: 'none' | 'lax' | 'strict' | 'explicitNone' | string | null;
  maxAge?: RpcNullable<number> | null;
}

export interface RpcHttpData {
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  params?: Record<string, string>;
  body?: RpcTypedData | null;
  statusCode?: string | null;
  cookies?: RpcHttpCookie[] | null;
  enableContentNegotiation?: boolean;
}

/** The HTTP trigger's data for one request (query and header values repeated in the request are joined with ","). */
export function toRpcHttpTrigger(
  req: IncomingMessage,
  url: URL,
  params: Record<string, string>,
  body: Buffer,
): RpcTypedData {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(',');
  const http: RpcHttpData = {
    method: (req.method ?? 'GET').toUpperCase(),
    url: url.toString(),
    headers,
    query,
    params,
  };
  if (body.length > 0) http.body = { bytes: body };
  return { http };
}

/** Writes the function's HTTP output; undefined / null (the function returned nothing) is 204. */
export function writeRpcHttpResponse(res: ServerResponse, output: RpcTypedData | null | undefined): void {
  const http = output?.http as RpcHttpData | undefined;
  if (!http) {
    res.writeHead(204).end();
    return;
  }
  const status = Number.parseInt(http.statusCode ?? '200', 10);
  if (!Number.isInteger(status) || status < 100 || status > 999)
    throw new Error(`The function answered an invalid HTTP status "${http.statusCode}".`);
  const body = bodyBytes(http.body);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(http.headers ?? {})) headers[name.toLowerCase()] = value;
  const cookies = (http.cookies ?? []).map(formatSetCookie);
  if (cookies.length > 0) {
    const existing = headers['set-cookie'];
    headers['set-cookie'] = [
      ...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]),
      ...cookies,
    ];
  }
  const noBody = status === 204 || status === 304 || (status >= 100 && status < 200);
  if (!noBody) headers['content-length'] = String(body.length);
  else delete headers['content-length'];
  res.writeHead(status, headers);
  res.end(noBody ? undefined : body);
}

function bodyBytes(body: RpcTypedData | null | undefined): Buffer {
  if (!body) return Buffer.alloc(0);
  if (body.bytes) return Buffer.from(body.bytes);
  if (body.stream) return Buffer.from(body.stream);
  if (typeof body.string === 'string') return Buffer.from(body.string, 'utf8');
  if (typeof body.json === 'string') return Buffer.from(body.json, 'utf8');
  if (typeof body.int === 'number') return Buffer.from(String(body.int));
  if (typeof body.double === 'number') return Buffer.from(String(body.double));
  return Buffer.alloc(0);
}

/** RFC 6265 `Set-Cookie` value for a cookie as the library converts it (`toRpcHttpCookie`). */
export function formatSetCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const seconds = cookie.expires?.value?.seconds;
  if (seconds !== undefined && seconds !== null)
    parts.push(`Expires=${new Date(Number(seconds) * 1000).toUTCString()}`);
  if (typeof cookie.maxAge?.value === 'number') parts.push(`Max-Age=${Math.trunc(cookie.maxAge.value)}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  const sameSite =
    cookie.sameSite === 'lax'
      ? 'Lax'
      : cookie.sameSite === 'strict'
        ? 'Strict'
        : cookie.sameSite === 'explicitNone'
          ? 'None'
          : undefined;
  if (sameSite) parts.push(`SameSite=${sameSite}`);
  return parts.join('; ');
}
