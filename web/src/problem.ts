/**
 * Errors from the server, in words. The app answers RFC 9457 problem+json with a stable `code`; the
 * Durable HTTP API (Azure's shape) answers plain text or `{Message}`; both become a ProblemDetails.
 */

export interface ProblemIssue {
  path: string;
  message: string;
  code?: string;
}

export interface ProblemDetails {
  status: number;
  title: string;
  detail?: string;
  /** The stable machine code (`insufficient_funds`, `not_awaiting_approval`, ...), when the server sent one. */
  code?: string;
  type?: string;
  errors?: ProblemIssue[];
}

const MAX_TEXT = 500;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function issues(value: unknown): ProblemIssue[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: ProblemIssue[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const record = item as Record<string, unknown>;
    const message = text(record.message);
    if (!message) continue;
    const path = Array.isArray(record.path) ? record.path.map(String).join('.') : (text(record.path) ?? '');
    out.push({ path, message, ...(text(record.code) ? { code: text(record.code) } : {}) });
  }
  return out.length > 0 ? out : undefined;
}

/**
 * Reads an error response body. Never throws: a body that is not JSON becomes the detail text.
 *
 * @example
 * parseProblem(409, 'Conflict', 'application/problem+json', '{"title":"Conflict","code":"not_awaiting_approval"}').code;
 * // "not_awaiting_approval"
 */
export function parseProblem(
  status: number,
  statusText: string,
  contentType: string | null,
  body: string,
): ProblemDetails {
  const fallbackTitle = text(statusText) ?? `HTTP ${status}`;
  const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const looksJson = media.endsWith('json') || /^\s*[{[]/.test(body);
  if (looksJson) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        const record = parsed as Record<string, unknown>;
        const detail =
          text(record.detail) ?? text(record.message) ?? text(record.Message) ?? text(record.error);
        const code = text(record.code) ?? text(record.reason);
        const errors = issues(record.errors);
        return {
          status: typeof record.status === 'number' ? record.status : status,
          title: text(record.title) ?? fallbackTitle,
          ...(detail ? { detail } : {}),
          ...(code ? { code } : {}),
          ...(text(record.type) ? { type: text(record.type) } : {}),
          ...(errors ? { errors } : {}),
        };
      }
    } catch {
      // Not JSON after all: fall through and show the text.
    }
  }
  const detail = text(body);
  return { status, title: fallbackTitle, ...(detail ? { detail: detail.slice(0, MAX_TEXT) } : {}) };
}
