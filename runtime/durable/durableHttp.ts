/**
 * Durable HTTP (`context.df.callHttp`), as the extension runs it: each request is a work item of
 * the reserved activity `BuiltIn::HttpActivity` (input: `[DurableHttpRequest]`), so it is sent
 * under a lease, counted, retried after a crash or a host restart, and its result is recorded in
 * the history as the task's completion (a replay never sends it again). The result is the
 * extension's `DurableHttpResponse` JSON, `{statusCode, headers, content}`; any status, 4xx and 5xx
 * included, is a result, while a request that gets no response (connection refused, no token) fails
 * the task. The 202 + `Location` polling is the episode's (see `episode.ts`): a timer, then a GET of
 * the Location, as the extension's `CallHttpAsync` does.
 */
import type { ActivityRun } from './functionRunner';

export const HTTP_ACTIVITY_NAME = 'BuiltIn::HttpActivity';

/** The SDK's `DurableHttpRequest` as it arrives in a CallHttp action (and as the work item's input). */
export interface DurableHttpRequest {
  method: string;
  uri: string;
  content?: string;
  headers?: Record<string, string>;
  tokenSource?: { kind?: string; resource?: string };
  asynchronousPatternEnabled?: boolean;
}

/** The extension's `DurableHttpResponse`: a header with several values is an array. */
export interface DurableHttpResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  content: string;
}

/** Tokens for `ManagedIdentityTokenSource` resources, by resource (see the README, "callHttp"). */
export type HttpTokens = Readonly<Record<string, string>>;

/** The app setting naming a token per resource, as JSON: `{"https://management.azure.com/.default": "<token>"}`. */
export const HTTP_TOKENS_SETTING = 'DURABLE_HTTP_TOKENS';

/**
 * The request of a CallHttp action, checked; a string says what is wrong with it (the
 * orchestration then fails, as the extension fails a request it cannot deserialize).
 */
export function durableHttpRequestOf(value: unknown): DurableHttpRequest | string {
  if (typeof value !== 'object' || value === null) return 'callHttp needs a request';
  const r = value as Record<string, unknown>;
  if (typeof r.method !== 'string' || r.method.trim() === '') return 'callHttp needs a method';
  if (typeof r.uri !== 'string') return 'callHttp needs a url';
  let url: URL;
  try {
    url = new URL(r.uri);
  } catch {
    return `callHttp: '${r.uri}' is not an absolute URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `callHttp: '${r.uri}' is not an http(s) URL`;
  const request: DurableHttpRequest = { method: r.method.toUpperCase(), uri: r.uri };
  if (typeof r.content === 'string') request.content = r.content;
  if (typeof r.headers === 'object' && r.headers !== null) {
    const headers: Record<string, string> = {};
    for (const [name, v] of Object.entries(r.headers as Record<string, unknown>))
      if (v !== undefined && v !== null) headers[name] = String(v);
    request.headers = headers;
  }
  if (typeof r.tokenSource === 'object' && r.tokenSource !== null) {
    const source = r.tokenSource as Record<string, unknown>;
    request.tokenSource = {
      ...(typeof source.kind === 'string' ? { kind: source.kind } : {}),
      ...(typeof source.resource === 'string' ? { resource: source.resource } : {}),
    };
  }
  request.asynchronousPatternEnabled = r.asynchronousPatternEnabled !== false;
  return request;
}

/** The request's JSON as the work item's input (the extension passes a one-element array). */
export function httpActivityInput(request: DurableHttpRequest): string {
  return JSON.stringify([request]);
}

export function requestOfInput(input: string | null): DurableHttpRequest | undefined {
  const request = checkedRequestOfInput(input);
  return typeof request === 'string' ? undefined : request;
}

/** The work item's request, or what is wrong with it. */
function checkedRequestOfInput(input: string | null): DurableHttpRequest | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input ?? 'null');
  } catch {
    return 'callHttp: the work item holds no valid request';
  }
  return durableHttpRequestOf(Array.isArray(parsed) ? parsed[0] : undefined);
}

/**
 * When a response asks to be polled (202 with a Location, the asynchronous pattern on): the GET of
 * the Location with the original headers (without `x-functions-key`, as the extension: the status
 * endpoint usually needs another key) and token source, and the wait before it in ms (`Retry-After`
 * seconds, else `defaultSleepMs`). Undefined when the response is the final one.
 */
export function pollOf(
  request: DurableHttpRequest,
  resultJson: string,
  defaultSleepMs: number,
): { request: DurableHttpRequest; delayMs: number } | undefined {
  if (request.asynchronousPatternEnabled === false) return undefined;
  let response: DurableHttpResponse;
  try {
    response = JSON.parse(resultJson) as DurableHttpResponse;
  } catch {
    return undefined;
  }
  // Exactly the SDK's test (CallHttpWithPollingTask): a 202 with a Location that is not empty. The
  // SDK then waits for the timer and the GET whatever the Location says, so they are always
  // scheduled; a Location that is no URL fails that GET (as the extension's `new Uri` throws).
  if (response?.statusCode !== 202) return undefined;
  const location = headerValue(response.headers, 'location');
  if (!location) return undefined;
  let uri: string;
  try {
    uri = new URL(location, request.uri).href;
  } catch {
    uri = location;
  }
  const retryAfter = Number(headerValue(response.headers, 'retry-after'));
  const delayMs = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : defaultSleepMs;
  const headers = Object.fromEntries(
    Object.entries(request.headers ?? {}).filter(([name]) => name.toLowerCase() !== 'x-functions-key'),
  );
  return {
    request: {
      method: 'GET',
      uri,
      headers,
      ...(request.tokenSource ? { tokenSource: request.tokenSource } : {}),
      asynchronousPatternEnabled: true,
    },
    delayMs,
  };
}

function headerValue(headers: DurableHttpResponse['headers'] | undefined, name: string): string | undefined {
  const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === name);
  if (key === undefined || !headers) return undefined;
  const value = headers[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * .NET's content headers: the extension copies only `HttpResponseMessage.Headers`, so these never
 * reach the orchestration.
 */
const CONTENT_HEADERS = new Set([
  'allow',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-length',
  'content-location',
  'content-md5',
  'content-range',
  'content-type',
  'expires',
  'last-modified',
]);

/** Sends one durable HTTP request (one attempt of the work item). */
export async function sendDurableHttpRequest(
  input: string | null,
  tokens: HttpTokens,
  timeoutMs: number,
): Promise<ActivityRun> {
  const request = checkedRequestOfInput(input);
  if (typeof request === 'string') return failed(request, String(input));
  const token = request.tokenSource ? tokenFor(request.tokenSource, tokens) : undefined;
  if (token !== undefined && typeof token !== 'string') return failed(token.reason, token.details);
  try {
    // Inside the try: a header the request cannot carry (a bad name, a line break in a value) is
    // the call's failure, not the backend's.
    const headers = new Headers();
    let contentType = '';
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      if (name.toLowerCase() === 'content-type') {
        if (value.includes('multipart'))
          return failed('Multipart content is not supported with CallHttpAsync.');
        contentType = value;
      } else headers.set(name, value);
    }
    if (request.content !== undefined) headers.set('content-type', contentType || 'text/plain');
    if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
    const abandon = new AbortController();
    const response = await fetch(request.uri, {
      method: request.method,
      headers,
      ...(request.content !== undefined && request.method !== 'GET' && request.method !== 'HEAD'
        ? { body: request.content }
        : {}),
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), abandon.signal]),
    });
    const content = await readContent(response, abandon);
    if (content === undefined)
      return failed(
        `callHttp ${request.method} ${request.uri} failed: the response body exceeds ${MAX_RESPONSE_BYTES / MIB} MiB, the local host's limit`,
      );
    const result: DurableHttpResponse = {
      statusCode: response.status,
      headers: responseHeaders(response.headers),
      content,
    };
    return { ok: true, result: JSON.stringify(result) };
  } catch (err) {
    return failed(`callHttp ${request.method} ${request.uri} failed: ${causeOf(err)}`, errorStack(err));
  }
}

const MIB = 1024 * 1024;
/**
 * The most of a response body the host reads. The body becomes the task's result, kept in the
 * history and handed to every replay; past this the call fails instead of the host buffering a
 * stream without end until it runs out of memory.
 */
export const MAX_RESPONSE_BYTES = 16 * MIB;

/** The body as text (UTF-8, as `Response.text()`); undefined (the connection dropped) past the limit. */
async function readContent(response: Response, abandon: AbortController): Promise<string | undefined> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      // The rest is never read: the connection is dropped.
      abandon.abort();
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tokenFor(
  source: NonNullable<DurableHttpRequest['tokenSource']>,
  tokens: HttpTokens,
): string | { reason: string; details: string } {
  const resource = source.resource ?? '';
  if (source.kind !== undefined && source.kind !== 'AzureManagedIdentity')
    return {
      reason: `callHttp: token source kind '${source.kind}' is not supported by the local host`,
      details: 'Only ManagedIdentityTokenSource (kind AzureManagedIdentity) is.',
    };
  const token = Object.prototype.hasOwnProperty.call(tokens, resource) ? tokens[resource] : undefined;
  if (token === undefined)
    return {
      reason: `callHttp: no token for the managed identity resource '${resource}'`,
      details:
        'The local host has no managed identity: name a token for the resource in the ' +
        `${HTTP_TOKENS_SETTING} setting (JSON: {"<resource>": "<token>"}).`,
    };
  return token;
}

function responseHeaders(headers: Headers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  headers.forEach((value, name) => {
    if (!CONTENT_HEADERS.has(name) && name !== 'set-cookie') out[name] = value;
  });
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies.length === 1 ? cookies[0] : cookies;
  return out;
}

function errorStack(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

function causeOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  if (err.name === 'TimeoutError') return 'no response within the activity timeout';
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}

/** A failed attempt; the SDK shows the orchestrator `${Reason} \n ${Details}`. */
function failed(reason: string, details = ''): ActivityRun {
  return { ok: false, failure: { Reason: reason, Details: details } };
}

/** `DURABLE_HTTP_TOKENS` read: a JSON object of resource → token; throws with what is wrong. */
export function parseHttpTokens(text: string | undefined): Record<string, string> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${HTTP_TOKENS_SETTING} is not JSON; expected {"<resource>": "<token>", ...}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`${HTTP_TOKENS_SETTING} must be a JSON object of resource → token`);
  const tokens: Record<string, string> = {};
  for (const [resource, token] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof token !== 'string')
      throw new Error(`${HTTP_TOKENS_SETTING}: the token for '${resource}' must be a string`);
    tokens[resource] = token;
  }
  return tokens;
}
