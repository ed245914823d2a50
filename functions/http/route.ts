/**
 * What one HTTP route is: its method and path, the schemas of its input and answer, the problems it
 * may answer besides the generic ones, and its handler. `api.ts` registers every route from this
 * and `openapi.ts` describes every route from it, so neither lists routes by hand.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';
import type { Stores } from '../../stores';
import type { Caller, Role } from '../identity/caller';
import type { TransferProcessClient } from '../transferProcessClient';

/** What a handler may use, built per invocation by api.ts. */
export interface RouteDeps {
  stores: Stores;
  /** The transfer processes, over the Durable client binding (routes with `durableClient` only). */
  processes: () => TransferProcessClient;
  /** The server's clock, ISO-8601. */
  now: () => string;
  /** Who is asking (from App Service Authentication's principal); undefined when anonymous. */
  caller?: Caller;
}

export interface RouteDefinition {
  method: 'GET' | 'POST';
  /** The path below the `api` prefix, with `{name}` parameters, as app.http takes it. */
  route: string;
  summary: string;
  /** The roles that may call it (`anyone`: no sign-in needed); finer rules live in the handler. */
  roles: readonly Role[] | 'anyone';
  /** The status of a successful answer. */
  status: 200 | 202;
  params?: z.ZodType;
  query?: z.ZodType;
  /** The JSON body; `required: false` when an empty body stands for `{}`. */
  body?: { schema: z.ZodType; required: boolean };
  /**
   * Whether the `Idempotency-Key` header names the entity the client left without an id (`field`);
   * `required`: the body names it or the header is sent (400 `idempotency_required` otherwise).
   */
  idempotencyKey: false | { field: string; required: boolean };
  response: z.ZodType;
  /** Route-specific problem answers (status → when), besides 400, 413, 415, 503 and a GET's 404 (a 400 here adds to the generic one). */
  refusals: Readonly<Record<number, string>>;
  /** Whether the handler needs the Durable client binding (to read a process's status). */
  durableClient: boolean;
  /** For a GET that honours `Prefer: wait=N`: until when it waits (for the API's description). */
  waits?: string;
  handle: (deps: RouteDeps, request: HttpRequest) => Promise<HttpResponseInit>;
}

/** A 200/202 JSON answer whose body the route's response schema types. */
export function jsonAnswer<S extends z.ZodType>(
  _schema: S,
  body: z.output<S>,
  status = 200,
  headers: Record<string, string> = {},
): HttpResponseInit {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
