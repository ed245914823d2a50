/**
 * Which store the app runs on, from `CARDFLOW_STORE`: the one reading of that setting, for the
 * settings check, the store factory, the publisher and the clock alike. Unset or empty: `local`.
 */
import { StoreError } from './errors';

export type StoreKind = 'local' | 'cosmos';

export function storeKindOf(env: Readonly<Record<string, string | undefined>> = process.env): StoreKind {
  const kind = env.CARDFLOW_STORE?.trim() || 'local';
  if (kind !== 'local' && kind !== 'cosmos')
    throw new StoreError('invalid_request', `CARDFLOW_STORE is 'local' or 'cosmos', not '${kind}'`);
  return kind;
}
