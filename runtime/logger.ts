/** Loggers for the host: the console one (Core Tools style lines) and an in-memory one for tests. */
import type { Logger } from './contracts';

/** Writes `[ISO time] message` lines: info to stdout, warnings and errors to stderr. */
export function consoleLogger(): Logger {
  const stamp = (): string => `[${new Date().toISOString()}]`;
  return {
    info: (message) => process.stdout.write(`${stamp()} ${message}\n`),
    warn: (message) => process.stderr.write(`${stamp()} ${message}\n`),
    error: (message) => process.stderr.write(`${stamp()} ${message}\n`),
  };
}

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** Keeps every line in `entries` (tests assert on them); prints nothing. */
export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];

  info(message: string): void {
    this.entries.push({ level: 'info', message });
  }

  warn(message: string): void {
    this.entries.push({ level: 'warn', message });
  }

  error(message: string): void {
    this.entries.push({ level: 'error', message });
  }

  /** The messages, optionally of one level only. */
  lines(level?: LogEntry['level']): string[] {
    return this.entries.filter((e) => !level || e.level === level).map((e) => e.message);
  }
}
