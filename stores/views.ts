/**
 * Read-model documents on a container partitioned by `/pk`, with optimistic checks by etag or by
 * the `version` (last applied event) the document carries; whoever waits for a document's next
 * write through them (`written`) is woken when it lands.
 */
import { hasStatus, type DocumentContainer } from './container';
import { StoreError, ViewVersionConflictError } from './errors';
import type { StoredView, ViewDocument, ViewQuery, ViewWriteCondition, Views } from './ports';

export class ContainerViews implements Views {
  /** Who waits for the next write of a document, by document. */
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(private readonly views: DocumentContainer) {}

  written(pk: string, id: string, withinMs: number): Promise<boolean> {
    const key = documentKey(pk, id);
    return new Promise((resolve) => {
      const waiters = this.waiting.get(key) ?? new Set<() => void>();
      this.waiting.set(key, waiters);
      const done = (wrote: boolean) => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0 && this.waiting.get(key) === waiters) this.waiting.delete(key);
        resolve(wrote);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), Math.max(0, withinMs));
      waiters.add(wake);
    });
  }

  private wrote(pk: string, id: string): void {
    const waiters = this.waiting.get(documentKey(pk, id));
    if (waiters) for (const wake of [...waiters]) wake();
  }

  async get<T extends ViewDocument = ViewDocument>(
    pk: string,
    id: string,
  ): Promise<StoredView<T> | undefined> {
    return this.views.read<T>(id, pk);
  }

  async put<T extends ViewDocument>(document: T, condition: ViewWriteCondition = {}): Promise<StoredView<T>> {
    const stored = await this.write(document, condition);
    this.wrote(document.pk, document.id);
    return stored;
  }

  private async write<T extends ViewDocument>(
    document: T,
    condition: ViewWriteCondition,
  ): Promise<StoredView<T>> {
    if (typeof document?.id !== 'string' || typeof document.pk !== 'string') {
      throw new StoreError('invalid_request', 'a view document has a string id and pk');
    }
    const { _etag: _, ...body } = document as T & { _etag?: string };
    const conflict = (detail: string): ViewVersionConflictError =>
      new ViewVersionConflictError(document.pk, document.id, detail);
    let ifMatch = condition.ifMatch;
    let exists = ifMatch !== undefined;
    if (condition.expectedVersion === 0 && ifMatch === undefined) {
      // The usual case is a first write: one create. A 409 means something is stored; whether
      // it counts as version 0 is judged below, from a read, as for any other version.
      try {
        return await this.views.create(body as T);
      } catch (error) {
        if (!hasStatus(error, 409)) throw error;
      }
    }
    if (condition.expectedVersion !== undefined) {
      const current = await this.views.read<ViewDocument>(document.id, document.pk);
      const actual = current?.version ?? 0;
      if (actual !== condition.expectedVersion) {
        throw conflict(`stored version is ${actual}, not the expected ${condition.expectedVersion}`);
      }
      if (current && ifMatch !== undefined && current._etag !== ifMatch) throw conflict('etag mismatch');
      if (!current && ifMatch !== undefined) throw conflict('no stored document to match');
      ifMatch = current?._etag;
      exists = current !== undefined;
    }
    try {
      if (ifMatch !== undefined) return await this.views.replace(body as T, ifMatch);
      if (condition.expectedVersion !== undefined && !exists) return await this.views.create(body as T);
      return await this.views.upsert(body as T);
    } catch (error) {
      if (hasStatus(error, 404, 409, 412)) throw conflict('changed by another writer');
      throw error;
    }
  }

  async delete(pk: string, id: string, condition: ViewWriteCondition = {}): Promise<boolean> {
    const deleted = await this.remove(pk, id, condition);
    if (deleted) this.wrote(pk, id);
    return deleted;
  }

  private async remove(pk: string, id: string, condition: ViewWriteCondition): Promise<boolean> {
    let ifMatch = condition.ifMatch;
    if (condition.expectedVersion !== undefined) {
      const current = await this.views.read<ViewDocument>(id, pk);
      const actual = current?.version ?? 0;
      if (actual !== condition.expectedVersion) {
        throw new ViewVersionConflictError(
          pk,
          id,
          `stored version is ${actual}, not the expected ${condition.expectedVersion}`,
        );
      }
      if (!current) return false;
      ifMatch ??= current._etag;
    }
    try {
      await this.views.delete(id, pk, ifMatch);
      return true;
    } catch (error) {
      if (hasStatus(error, 404)) {
        if (ifMatch !== undefined) throw new ViewVersionConflictError(pk, id, 'deleted by another writer');
        return false;
      }
      if (hasStatus(error, 412)) throw new ViewVersionConflictError(pk, id, 'changed by another writer');
      throw error;
    }
  }

  async query<T extends ViewDocument = ViewDocument>(
    pk: string,
    query: ViewQuery = {},
  ): Promise<StoredView<T>[]> {
    const filters = Object.entries(query.where ?? {}).map(([property, value]) => ({
      path: `/${property}`,
      op: '=' as const,
      value,
    }));
    return this.views.query<T>({
      partitionKey: pk,
      filters,
      orderBy: query.orderBy === undefined ? undefined : `/${query.orderBy}`,
      descending: query.descending,
      limit: query.limit,
    });
  }

  async deleteAll(pk?: string): Promise<number> {
    let deleted = 0;
    for (const key of await this.views.listKeys(pk)) {
      try {
        await this.views.delete(key.id, key.partitionKey);
        if (typeof key.partitionKey === 'string') this.wrote(key.partitionKey, key.id);
        deleted++;
      } catch (error) {
        if (!hasStatus(error, 404)) throw error;
      }
    }
    return deleted;
  }
}

const documentKey = (pk: string, id: string) => `${pk}\u0000${id}`;
