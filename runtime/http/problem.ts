/** RFC 9457 problem details, the shape of every error the host itself answers with. */
import type { ServerResponse } from 'node:http';

export interface Problem {
  status: number;
  title: string;
  detail?: string;
  type?: string;
  instance?: string;
  [extension: string]: unknown;
}

/** Writes `problem` as `application/problem+json` (plus any extra headers) and ends the response. */
export function sendProblem(
  res: ServerResponse,
  problem: Problem,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ type: 'about:blank', ...problem });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(problem.status, {
    ...headers,
    'content-type': 'application/problem+json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Thrown by a host route handler (or what it calls) to answer with a problem instead; the router
 * writes it, with the request path as `instance` unless the problem names one.
 */
export class ProblemError extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail ?? problem.title);
    this.name = 'ProblemError';
  }
}
