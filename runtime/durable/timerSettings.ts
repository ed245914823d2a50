/** Timer settings the Azure extension sends with schema V3 (and the SDK insists on), as text and in ms. */
export const LONG_RUNNING_TIMER_INTERVAL = '3.00:00:00';
export const MAXIMUM_SHORT_TIMER_DURATION = '6.00:00:00';
export const LONG_RUNNING_TIMER_INTERVAL_MS = 3 * 24 * 3600_000;
export const MAXIMUM_SHORT_TIMER_MS = 6 * 24 * 3600_000;
/** The extension's `HttpSettings.DefaultAsyncRequestSleepTimeMilliseconds`: a callHttp poll's wait without `Retry-After`. */
export const DEFAULT_HTTP_ASYNC_SLEEP_MS = 30_000;
