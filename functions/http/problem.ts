/**
 * RFC 9457 problem details: every error the HTTP API returns has this shape, with a stable `code`
 * (the domain's reason codes, or an HTTP-level code such as `invalid_body`) next to the human text.
 */
import type { HttpResponseInit } from '@azure/functions';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  /** Field-level validation issues (zod issues, reduced to path + message + code). */
  errors?: ProblemIssue[];
}

export interface ProblemIssue {
  path: string;
  message: string;
  code: string;
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
