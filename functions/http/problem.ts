/**
 * RFC 9457 problem details: every error the HTTP API returns has this shape, with a stable `code`
 * (the domain's reason codes, or an HTTP-level code such as `invalid_body`) next to the human text.
 */
import type { HttpResponseInit } from '@azure/functions';
import { REASON_MESSAGES } from '../../domain/reasons';
import type { ProblemResponse } from './schemas';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export type Problem = ProblemResponse;
/** Field-level validation issues (zod issues, reduced to path + message + code). */
export type ProblemIssue = NonNullable<Problem['errors']>[number];

/** The HTTP API's own codes (beyond the domain's reason codes), in words of the same form. */
export const PROBLEM_MESSAGES = {
  invalid_request: 'the request was not valid',
  malformed_json: 'the body is not well-formed JSON',
  unsupported_media_type: 'the body must be sent as JSON',
  body_too_large: 'the body is larger than 64 KiB',
  command_not_found: 'there is no such command',
  not_found: 'it was not found',
  internal_error: 'an unexpected error occurred',
  unauthenticated: 'you need to sign in',
  invalid_token: 'the bearer token belongs to nobody',
  forbidden: 'your role does not allow this',
  not_account_owner: 'the account is not yours',
  identity_mismatch: 'the request names someone other than you',
  idempotency_required:
    'the request needs its id in the body or an Idempotency-Key header, or a retry would do it twice (a load)',
  idempotency_key_reused: 'this Idempotency-Key was already used with a different body',
  backlog_full: 'the pipeline is behind; send the command again after Retry-After seconds',
} as const;

/** Every code a client may meet, in words: what `GET /api/reasons` answers. */
export function reasonTexts(): Record<string, string> {
  return { ...REASON_MESSAGES, ...PROBLEM_MESSAGES };
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Builds a problem+json response. `code` is stable and machine-readable; `detail` is for people. */
export function problem(
  status: number,
  code: string,
  detail?: string,
  extra: Partial<Pick<Problem, 'errors' | 'instance'>> = {},
): HttpResponseInit {
  const body: Problem = {
    type: `https://cardflow.dev/problems/${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
    ...extra,
  };
  return {
    status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE },
    body: JSON.stringify(body),
  };
}
