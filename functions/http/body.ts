/**
 * Reading a JSON request body under the API's rules: at most 64 KiB (413), JSON media type (415),
 * well-formed JSON (400), then a zod schema (400 with the issues in `errors`). A failure comes back
 * as a ready problem+json response, so handlers never throw on bad input.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { ZodType } from 'zod';
import { problem, type ProblemIssue } from './problem';

export const MAX_BODY_BYTES = 64 * 1024;

export type BodyResult<T> = { ok: true; value: T } | { ok: false; response: HttpResponseInit };

function isJsonMediaType(contentType: string | null): boolean {
  if (!contentType) return false;
  const media = contentType.split(';')[0].trim().toLowerCase();
  return media === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(media);
}

/** Maps zod issues to the problem body's `errors` entries. */
export function toProblemIssues(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code: string }>,
): ProblemIssue[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
    code: issue.code,
  }));
}

/** Validates a value against a schema, producing the API's 400 on failure. */
export function validate<T>(schema: ZodType<T>, value: unknown, what = 'request body'): BodyResult<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    response: problem(400, 'invalid_request', `The ${what} is not valid.`, {
      errors: toProblemIssues(parsed.error.issues),
    }),
  };
}

/** Reads and validates a JSON body. An empty body is treated as `{}` only when `allowEmpty` is set. */
export async function readJsonBody<T>(
  request: HttpRequest,
  schema: ZodType<T>,
  options: { allowEmpty?: boolean } = {},
): Promise<BodyResult<T>> {
  const declaredLength = Number(request.headers.get('content-length') ?? '0');
  if (declaredLength > MAX_BODY_BYTES) {
    return {
      ok: false,
      response: problem(413, 'body_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes.`),
    };
  }
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > MAX_BODY_BYTES) {
    return {
      ok: false,
      response: problem(413, 'body_too_large', `The body must be at most ${MAX_BODY_BYTES} bytes.`),
    };
  }
  if (bytes.length === 0 && options.allowEmpty) return validate(schema, {});
  if (!isJsonMediaType(request.headers.get('content-type'))) {
    return {
      ok: false,
      response: problem(
        415,
        'unsupported_media_type',
        'Send the body as JSON (Content-Type: application/json).',
      ),
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return {
      ok: false,
      response: problem(
        400,
        'malformed_json',
        `The body is not well-formed JSON: ${(error as Error).message}`,
      ),
    };
  }
  return validate(schema, value);
}
