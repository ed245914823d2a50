/**
 * What an `Idempotency-Key` was first used for, so a key reused with a different body is refused
 * (422 `idempotency_key_reused`, as payment APIs do) instead of naming the first request's entity
 * for another operation. One document per key in the `views` container, partition
 * `idempotency-keys` (not a projection: a rebuild keeps it, like the dead letters): its id is a
 * hash of the route's scope (command type and path parameters), the caller and the key; it holds the
 * fingerprint of the first request, its command id (the hash of the command's type and data, so
 * equal bodies from the same caller have equal fingerprints). It is written once, create-only, through
 * the views port, so it survives restarts and behaves alike on the local store and Cosmos DB.
 */
import { sha256Hex } from '../../domain/sha256';
import { isStoreError, type Views, type ViewDocument } from '../../stores';

export const IDEMPOTENCY_KEYS_PARTITION = 'idempotency-keys';

export interface IdempotencyKeyRecord extends ViewDocument {
  pk: typeof IDEMPOTENCY_KEYS_PARTITION;
  view: 'idempotency-key';
  /** The command type and path parameters the key was used under, e.g. `LoadCredits:acc-1`. */
  scope: string;
  /** The command id of the first request sent with this key. */
  fingerprint: string;
  firstUsedAt: string;
}

/** One key as a caller used it under one scope. */
export class IdempotencyKey {
  readonly id: string;

  constructor(
    private readonly views: Views,
    private readonly scope: string,
    callerId: string | undefined,
    key: string,
  ) {
    this.id = sha256Hex(`${scope}\n${callerId ?? ''}\n${key}`);
  }

  /** The fingerprint of the first request sent with this key; undefined when the key is new. */
  async fingerprint(): Promise<string | undefined> {
    const record = await this.views.get<IdempotencyKeyRecord>(IDEMPOTENCY_KEYS_PARTITION, this.id);
    return record?.fingerprint;
  }

  /**
   * Binds the key to this fingerprint unless it is bound already; true when the key is this
   * request's (newly bound, or bound to the same fingerprint, also by a racing request).
   */
  async claim(fingerprint: string, now: string): Promise<boolean> {
    const record: IdempotencyKeyRecord = {
      id: this.id,
      pk: IDEMPOTENCY_KEYS_PARTITION,
      view: 'idempotency-key',
      scope: this.scope,
      fingerprint,
      firstUsedAt: now,
      version: 1,
    };
    try {
      await this.views.put(record, { expectedVersion: 0 });
      return true;
    } catch (error) {
      if (!isStoreError(error, 'view_version_conflict')) throw error;
      return (await this.fingerprint()) === fingerprint;
    }
  }
}
