/**
 * host.json `logging.logLevel`, as the Functions host applies it: each key is a log category or a
 * prefix of one (`default`, `Function`, `Function.<name>`, `Function.<name>.User`, `Host.Results`…),
 * the longest key that matches a category gives its minimum level, `default` the rest
 * (Information when absent). A function's own `context.log` lines are `Function.<name>.User`; the
 * host's "Executed …" line for it is `Function.<name>`.
 */
import type { CoreLogLevel } from './worker/functionsCore';

const ORDER: Record<CoreLogLevel, number> = {
  trace: 0,
  debug: 1,
  information: 2,
  warning: 3,
  error: 4,
  critical: 5,
  none: 6,
};

export type LogLevelFilter = (category: string, level: CoreLogLevel) => boolean;

export class LogLevelError extends Error {}

/**
 * A filter from host.json's `logging` section; throws {@link LogLevelError} for a level the host
 * does not know (a typo would otherwise silence or flood the log unnoticed).
 */
export function logLevelFilter(logging: unknown): LogLevelFilter {
  const configured = new Map<string, number>();
  const levels = (logging as { logLevel?: unknown } | undefined)?.logLevel;
  if (levels !== undefined && (typeof levels !== 'object' || levels === null || Array.isArray(levels)))
    throw new LogLevelError('host.json logging.logLevel must be an object of category → level.');
  for (const [category, name] of Object.entries((levels ?? {}) as Record<string, unknown>)) {
    const level = typeof name === 'string' ? ORDER[name.toLowerCase() as CoreLogLevel] : undefined;
    if (level === undefined)
      throw new LogLevelError(
        `host.json logging.logLevel.${category} is ${JSON.stringify(name)}; use one of Trace, Debug, Information, Warning, Error, Critical, None.`,
      );
    configured.set(category.toLowerCase(), level);
  }
  const fallback = configured.get('default') ?? ORDER.information;
  const cache = new Map<string, number>();
  const minimumFor = (category: string): number => {
    const key = category.toLowerCase();
    let minimum = cache.get(key);
    if (minimum !== undefined) return minimum;
    let best = -1;
    minimum = fallback;
    for (const [prefix, level] of configured) {
      if (prefix === 'default') continue;
      if ((key === prefix || key.startsWith(`${prefix}.`)) && prefix.length > best) {
        best = prefix.length;
        minimum = level;
      }
    }
    cache.set(key, minimum);
    return minimum;
  };
  return (category, level) => level !== 'none' && ORDER[level] >= minimumFor(category);
}
