/**
 * Loggers for the host: the console one and an in-memory one for tests. The console writes one line
 * per record: `[ISO time] message` for a terminal, or with `LOG_FORMAT=json` one JSON object per
 * line (`time`, `level`, the record's fields, and — when the message is itself a JSON object, as
 * the app's structured lines are — its properties instead of `message`, never over the host's own).
 */
import type { LogFields, Logger } from './contracts';

export type LogFormat = 'text' | 'json';

/** The format `LOG_FORMAT` asks for; anything but `json` is text. */
export function logFormatFrom(env: Readonly<Record<string, string | undefined>> = process.env): LogFormat {
  return env.LOG_FORMAT?.trim().toLowerCase() === 'json' ? 'json' : 'text';
}

/**
 * Info to stdout, warnings and errors to stderr. The lines of one turn of the event loop go out
 * as one write after it (a busy host logs a line per invocation, and a write to a pipe or a file
 * is a system call that blocks the event loop), and whatever is left when the process exits.
 */
export function consoleLogger(format: LogFormat = logFormatFrom()): Logger {
  const write =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, fields?: LogFields): void => {
      (level === 'info' ? stdoutLines : stderrLines).add(
        `${format === 'json' ? jsonLine(level, message, fields) : `[${new Date().toISOString()}] ${message}`}\n`,
      );
    };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/** The lines for one stream, written together after the turn that logged them. */
class LineBuffer {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly stream: () => NodeJS.WritableStream) {
    process.once('exit', () => this.flush());
  }

  add(line: string): void {
    this.pending.push(line);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush()).unref();
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.stream().write(text);
  }
}

const stdoutLines = new LineBuffer(() => process.stdout);
const stderrLines = new LineBuffer(() => process.stderr);

/** Text for stdout (the CLI's own lines), in order with the console loggers' lines. */
export function writeOut(text: string): void {
  stdoutLines.add(text);
}

/** Text for stderr, in order with the console loggers' warnings and errors. */
export function writeErr(text: string): void {
  stderrLines.add(text);
}

/** One JSON log record; a message that is a JSON object contributes its properties. */
export function jsonLine(level: 'info' | 'warn' | 'error', message: string, fields: LogFields = {}): string {
  const own = { time: new Date().toISOString(), level, ...fields };
  const structured = parseObject(message);
  // The host's own fields win: a message cannot change its record's time, level or origin.
  return JSON.stringify(structured ? { ...structured, ...own } : { ...own, message });
}

/** The text after an optional `[Functions.name] ` prefix, parsed when it is a JSON object. */
function parseObject(message: string): Record<string, unknown> | undefined {
  const body = message.replace(/^\[[^\]]*\] /, '');
  if (!body.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields?: LogFields;
}

/** Keeps every line in `entries` (tests assert on them); prints nothing. */
export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];

  info(message: string, fields?: LogFields): void {
    this.entries.push(entry('info', message, fields));
  }

  warn(message: string, fields?: LogFields): void {
    this.entries.push(entry('warn', message, fields));
  }

  error(message: string, fields?: LogFields): void {
    this.entries.push(entry('error', message, fields));
  }

  /** The messages, optionally of one level only. */
  lines(level?: LogEntry['level']): string[] {
    return this.entries.filter((e) => !level || e.level === level).map((e) => e.message);
  }
}

function entry(level: LogEntry['level'], message: string, fields: LogFields | undefined): LogEntry {
  return fields ? { level, message, fields } : { level, message };
}
