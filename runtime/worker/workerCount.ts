/**
 * How many worker threads run the app: the app setting `FUNCTIONS_WORKER_PROCESS_COUNT`, as in
 * Azure (a whole number from 1 to 10), else the host's default. 1 runs the app in the host's own
 * thread.
 */
import { SettingsError } from '../settings';

export const WORKER_COUNT_SETTING = 'FUNCTIONS_WORKER_PROCESS_COUNT';
/** Azure's upper bound for the setting. */
export const MAX_WORKERS = 10;

export function workerCountFrom(
  settings: Readonly<Record<string, string | undefined>>,
  fallback: number,
): number {
  const raw = (settings[WORKER_COUNT_SETTING] ?? '').trim();
  if (raw === '') return fallback;
  const count = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(count) || count < 1 || count > MAX_WORKERS)
    throw new SettingsError(
      `${WORKER_COUNT_SETTING} must be a whole number from 1 to ${MAX_WORKERS}, not ${JSON.stringify(settings[WORKER_COUNT_SETTING])}.`,
    );
  return count;
}
