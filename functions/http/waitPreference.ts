/**
 * `Prefer: wait=N` (RFC 7240 §4.3) on a read: the client would rather hold the request up to N
 * seconds than poll, so a route that supports it answers once what it reads has settled (a
 * transfer final or waiting for someone) or once N seconds have passed, whichever is first, with
 * `Preference-Applied: wait=N`. N is capped at {@link MAX_WAIT_SECONDS}; a value that is not a
 * whole number of seconds is ignored, as RFC 7240 asks of preferences a server does not take.
 */
import type { HttpResponseInit } from '@azure/functions';

/** The longest wait a read holds (well inside Azure's 230 s limit for an HTTP request). */
export const MAX_WAIT_SECONDS = 30;

/**
 * How long a waiting read goes without looking again. A write through this process's views wakes it
 * at once; this bounds the delay when the write was made elsewhere (another worker or instance).
 */
export const WAIT_RECHECK_MS = 250;

/** The seconds the `Prefer` header(s) ask to wait, capped; undefined when they do not ask (or ask for 0). */
export function preferredWait(prefer: string | null | undefined): number | undefined {
  if (!prefer) return undefined;
  // Commas inside a quoted value do not separate preferences.
  for (const preference of prefer.match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
    const [token] = preference.split(';');
    const equals = token.indexOf('=');
    const name = (equals < 0 ? token : token.slice(0, equals)).trim().toLowerCase();
    if (name !== 'wait') continue;
    // Only the first `wait` counts (RFC 7240 §2); a bad value means no wait at all.
    const value =
      equals < 0
        ? ''
        : token
            .slice(equals + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1');
    if (!/^\d+$/.test(value)) return undefined;
    const seconds = Math.min(Number(value), MAX_WAIT_SECONDS);
    return seconds > 0 ? seconds : undefined;
  }
  return undefined;
}

/** What a route that honours `Prefer: wait` waits on. */
export interface WaitRule<Body, Params> {
  /** Whether an answer is one the resource is expected to move on from (its 200 body; undefined for any other answer). */
  moving: (body: Body | undefined) => boolean;
  /** The view document whose writes may end the wait. */
  document: (params: Params) => { pk: string; id: string };
  /** When the wait ends, for the API's description. */
  describe: string;
}

/**
 * Answers with `answer()` once its answer is not `moving`, or after `seconds`, re-running it after
 * each write of the document through `views` and every {@link WAIT_RECHECK_MS} in any case. The
 * last wait of a settled answer is left to end by itself (within {@link WAIT_RECHECK_MS}).
 */
export async function answerAfterWait<Body>(options: {
  seconds: number;
  answer: () => Promise<HttpResponseInit>;
  moving: (body: Body | undefined) => boolean;
  written: (withinMs: number) => Promise<boolean>;
}): Promise<HttpResponseInit> {
  const deadline = Date.now() + options.seconds * 1000;
  for (;;) {
    // Waiting starts before the read, so a write that lands while it reads ends the next wait at once.
    const next = options.written(Math.min(Math.max(0, deadline - Date.now()), WAIT_RECHECK_MS));
    const response = await options.answer();
    if (Date.now() >= deadline || !options.moving(bodyOf<Body>(response)))
      return applied(response, options.seconds);
    await next;
  }
}

function bodyOf<Body>(response: HttpResponseInit): Body | undefined {
  if ((response.status ?? 200) !== 200 || typeof response.body !== 'string') return undefined;
  return JSON.parse(response.body) as Body;
}

function applied(response: HttpResponseInit, seconds: number): HttpResponseInit {
  return {
    ...response,
    headers: {
      ...(response.headers as Record<string, string> | undefined),
      'Preference-Applied': `wait=${seconds}`,
    },
  };
}
