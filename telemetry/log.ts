/**
 * The app's log lines (docs/observability.md): one line per record, written through the invocation's
 * own logger (so the host files it under the function, and host.json's levels apply), carrying the
 * ids that matter — transferId, commandId, correlationId, the invocation id and the trace id.
 *
 *   text (default)   `transfer tr-1 released · transferId=tr-1 traceId=4bf9…`
 *   LOG_FORMAT=json  `{"message":"transfer tr-1 released","transferId":"tr-1","traceId":"4bf9…",…}`
 */
import { currentTraceId } from './traceContext';

export type LogFieldValue = string | number | boolean | null | undefined;
export type LogFields = Readonly<Record<string, LogFieldValue>>;

/** What an invocation context offers for logging (`InvocationContext` has it). */
export interface LogSink {
  readonly invocationId?: string;
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface AppLog {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose every line also carries `fields`. */
  with(fields: LogFields): AppLog;
}

/** A logger for one invocation, with `fields` on every line. */
export function appLog(sink: LogSink, fields: LogFields = {}): AppLog {
  const write =
    (level: 'log' | 'warn' | 'error') =>
    (message: string, more: LogFields = {}) =>
      sink[level](
        formatLine(message, {
          ...fields,
          ...more,
          invocationId: sink.invocationId,
          traceId: currentTraceId(),
        }),
      );
  return {
    info: write('log'),
    warn: write('warn'),
    error: write('error'),
    with: (more) => appLog(sink, { ...fields, ...more }),
  };
}

/** One record as text or JSON (per `LOG_FORMAT`); fields without a value are left out. */
export function formatLine(message: string, fields: LogFields, format = process.env.LOG_FORMAT): string {
  const present = Object.entries(fields).filter(([, value]) => value !== undefined && value !== null);
  if (format?.trim().toLowerCase() === 'json')
    return JSON.stringify({ message, ...Object.fromEntries(present) });
  if (present.length === 0) return oneLine(message);
  return `${oneLine(message)} · ${present.map(([key, value]) => `${key}=${textValue(value)}`).join(' ')}`;
}

/** A value as `key=value` shows it: quoted (JSON) when it has spaces, quotes or line breaks. */
function textValue(value: LogFieldValue): string {
  const text = String(value);
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/** The message on one line: a record never spills into a second one. */
function oneLine(message: string): string {
  return message.replace(/\r?\n/g, ' ⏎ ');
}
