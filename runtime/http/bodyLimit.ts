/**
 * The host-wide request body limit, as the Functions host sets it: Kestrel's `MaxRequestBodySize`,
 * 104 857 600 bytes unless the app setting `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT` (bytes, a whole
 * number) says otherwise; a value that is not one leaves the default.
 */
import type { Logger } from '../contracts';

export const REQUEST_BODY_SIZE_LIMIT_SETTING = 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT';

/** Azure's default (`ScriptConstants.DefaultMaxRequestBodySize`), 100 MiB. */
export const DEFAULT_REQUEST_BODY_LIMIT = 104_857_600;

/**
 * The limit the settings ask for. Azure reads the setting with .NET's `long.TryParse` and ignores
 * it when that fails; a negative number, which Kestrel would refuse, is ignored here as well. The
 * host says so rather than ignore it silently.
 */
export function requestBodyLimitFrom(
  settings: Readonly<Record<string, string | undefined>>,
  log?: Logger,
): number {
  const raw = settings[REQUEST_BODY_SIZE_LIMIT_SETTING];
  if (raw === undefined || raw.trim() === '') return DEFAULT_REQUEST_BODY_LIMIT;
  const text = raw.trim().replace(/^\+/, '');
  const bytes = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(bytes)) {
    log?.warn(
      `${REQUEST_BODY_SIZE_LIMIT_SETTING} is "${raw}", not a number of bytes; the default ` +
        `${DEFAULT_REQUEST_BODY_LIMIT} bytes (100 MiB) applies, as in Azure.`,
    );
    return DEFAULT_REQUEST_BODY_LIMIT;
  }
  return bytes;
}

/**
 * Whether a request to `pathname` is one the Functions host itself receives, so its limit applies.
 * The local stand-ins for other services keep their own limits: the Event Grid topic (Event Grid's
 * publish endpoint), the OTLP receiver (the telemetry back end) and the durable SDK's RPC base (the
 * Durable extension's own local listener in Azure).
 */
export function hostLimitApplies(pathname: string): boolean {
  return !/^\/runtime\/(?:eventgrid\/topics|otlp|durabletask-rpc)(?:\/|$)/i.test(pathname);
}

/** "1 MiB", "64 KiB", "1500 bytes": a limit as a person reads it. */
export function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
