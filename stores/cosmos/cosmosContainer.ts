/**
 * The container model on Azure Cosmos DB (@azure/cosmos v4).
 *
 * - Errors become {@link ContainerError} with Cosmos's status (409 conflict, 412 stale etag, ...).
 * - 429 (request rate too large): the SDK already retries throttled requests, waiting the
 *   server's `x-ms-retry-after-ms`; when its retries run out we wait that long again ourselves, up
 *   to `throttleRetries` more times, then fail with 503 `store_unavailable`. (For a batch the SDK
 *   drops the header, so we wait 1 s; retrying an event append is safe, see eventStore.ts.)
 * - Queries always carry the partition key in the WHERE clause as well as in the request options:
 *   @vercel/cosmosdb-server (the test double) ignores the option; real Cosmos DB uses either.
 * - A failed transactional batch answers per operation: Cosmos DB with HTTP 207 (the failing
 *   operation's status, 424 for the others), the test server with 200; the SDK throws for
 *   neither, so the driver takes the first failed operation's status. Cosmos DB rolls a failed
 *   batch back; the test server keeps the operations before the failing one (see
 *   stores/README.md for why the event store never depends on that).
 */
import type { Container, OperationInput } from '@azure/cosmos';
import {
  ContainerError,
  withoutSystemProperties,
  type BatchOperation,
  type ContainerDocument,
  type DocumentContainer,
  type PartitionKey,
  type QuerySpec,
  type ReadDocument,
} from '../container';

const PATH_SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface CosmosContainerOptions {
  /** Extra attempts after the SDK's own throttling retries give up (default 5). */
  throttleRetries?: number;
  /** Waits between those attempts (injectable for tests). */
  sleep?: (ms: number) => Promise<void>;
}

interface CosmosErrorLike {
  code?: number | string;
  statusCode?: number;
  message?: string;
  retryAfterInMs?: number;
  retryAfterInMilliseconds?: number;
  headers?: Record<string, unknown>;
}

// The SDK rethrows a failed batch request as a plain Error with only the message (no status, no
// headers); Cosmos DB's 429 message is recognisable.
const THROTTLED_BATCH = /^Batch request error: .*(request rate is large|TooManyRequests)/i;

// Failures to reach Cosmos DB at all: the SDK's RestError carries Node's string code (or its own
// 'TimedOut'), and a batch's plain Error only the message. They have no HTTP status.
const UNREACHABLE_CODES =
  'ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|TimedOut';
const UNREACHABLE_CODE = new RegExp(`^(${UNREACHABLE_CODES})$`);
const UNREACHABLE_BATCH = new RegExp(`^Batch request error: .*\\b(${UNREACHABLE_CODES}|socket hang up)\\b`);

/** Whether the request failed because Cosmos DB could not be reached (no answer, no status). */
function isUnreachable(error: unknown): boolean {
  const e = error as (CosmosErrorLike & { name?: unknown }) | undefined;
  if (typeof e?.code === 'string' && UNREACHABLE_CODE.test(e.code)) return true;
  if (e?.name === 'TimeoutError') return true;
  return typeof e?.message === 'string' && UNREACHABLE_BATCH.test(e.message);
}

function statusOf(error: unknown): number | undefined {
  const e = error as CosmosErrorLike | undefined;
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  if (typeof e?.message === 'string' && THROTTLED_BATCH.test(e.message)) return 429;
  return undefined;
}

function errorMessage(error: unknown): string {
  return ((error as CosmosErrorLike).message ?? String(error)).split('\n')[0];
}

/** The server's requested wait for a 429, in ms (1 s when the SDK did not pass it on). */
function retryAfterMs(error: unknown): number {
  const e = error as CosmosErrorLike;
  const header = e.headers?.['x-ms-retry-after-ms'];
  const fromHeader = typeof header === 'string' || typeof header === 'number' ? Number(header) : NaN;
  const value = e.retryAfterInMs ?? e.retryAfterInMilliseconds ?? fromHeader;
  return Number.isFinite(value) && value >= 0 ? value : 1000;
}

function cosmosPath(path: string): string {
  const segments = path.split('/').slice(1);
  if (!path.startsWith('/') || segments.length === 0 || !segments.every((s) => PATH_SEGMENT.test(s))) {
    throw new ContainerError(400, `invalid property path '${path}' (expected like /name or /a/b)`);
  }
  return 'c' + segments.map((s) => `["${s}"]`).join('');
}

export class CosmosDocumentContainer implements DocumentContainer {
  private readonly pkSegments: string[];
  private readonly throttleRetries: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    /** Resolves the SDK container (created on first use). */
    private readonly container: () => Promise<Container>,
    readonly partitionKeyPath: string,
    options: CosmosContainerOptions = {},
  ) {
    this.pkSegments = partitionKeyPath.split('/').slice(1);
    this.throttleRetries = options.throttleRetries ?? 5;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  read<T extends ContainerDocument>(
    id: string,
    partitionKey: PartitionKey,
  ): Promise<ReadDocument<T> | undefined> {
    return this.call(async (c) => {
      const response = await c.item(id, partitionKey).read<T>();
      if (response.statusCode === 404 || !response.resource) return undefined;
      return withoutSystemProperties<T>(response.resource);
    });
  }

  create<T extends ContainerDocument>(document: T): Promise<ReadDocument<T>> {
    return this.call(async (c) =>
      withoutSystemProperties<T>((await c.items.create(document)).resource as unknown as T),
    );
  }

  replace<T extends ContainerDocument>(document: T, ifMatch?: string): Promise<ReadDocument<T>> {
    return this.call(async (c) => {
      const response = await c
        .item(document.id, this.partitionKeyOf(document))
        .replace(
          document,
          ifMatch === undefined ? {} : { accessCondition: { type: 'IfMatch', condition: ifMatch } },
        );
      return withoutSystemProperties<T>(response.resource as unknown as T);
    });
  }

  upsert<T extends ContainerDocument>(document: T): Promise<ReadDocument<T>> {
    return this.call(async (c) =>
      withoutSystemProperties<T>((await c.items.upsert(document)).resource as unknown as T),
    );
  }

  delete(id: string, partitionKey: PartitionKey, ifMatch?: string): Promise<void> {
    return this.call(async (c) => {
      await c
        .item(id, partitionKey)
        .delete(ifMatch === undefined ? {} : { accessCondition: { type: 'IfMatch', condition: ifMatch } });
    });
  }

  batch(partitionKey: PartitionKey, operations: BatchOperation[]): Promise<void> {
    return this.call(async (c) => {
      const response = await c.items.batch(
        operations.map((o) => toOperation(o, partitionKey)),
        partitionKey ?? undefined,
      );
      const results = response.result ?? [];
      const failed = results.findIndex((r) => r.statusCode >= 400 && r.statusCode !== 424);
      if (failed >= 0) {
        throw new ContainerError(results[failed].statusCode, `batch operation ${failed} failed`, failed);
      }
      if (response.code !== undefined && response.code >= 400) {
        throw new ContainerError(response.code, 'batch failed');
      }
    });
  }

  async query<T extends ContainerDocument>(spec: QuerySpec): Promise<ReadDocument<T>[]> {
    const parameters: Array<{ name: string; value: PartitionKey | readonly (string | number)[] }> = [];
    const parameter = (value: PartitionKey | readonly (string | number)[]): string => {
      parameters.push({ name: `@p${parameters.length}`, value });
      return `@p${parameters.length - 1}`;
    };
    const where = [`${cosmosPath(this.partitionKeyPath)} = ${parameter(spec.partitionKey)}`];
    for (const filter of spec.filters ?? []) {
      if (filter.op === 'in')
        where.push(`ARRAY_CONTAINS(${parameter(filter.value)}, ${cosmosPath(filter.path)})`);
      else if (['=', '!=', '<', '<=', '>', '>='].includes(filter.op)) {
        where.push(`${cosmosPath(filter.path)} ${filter.op} ${parameter(filter.value)}`);
      } else
        throw new ContainerError(400, `unknown filter operator '${String((filter as { op: unknown }).op)}'`);
    }
    if (spec.limit !== undefined && (!Number.isInteger(spec.limit) || spec.limit < 0)) {
      throw new ContainerError(400, 'bad limit');
    }
    const top = spec.limit === undefined ? '' : `TOP ${spec.limit} `;
    const order = `${spec.orderBy === undefined ? 'c.id' : cosmosPath(spec.orderBy)} ${spec.descending ? 'DESC' : 'ASC'}`;
    const query = `SELECT ${top}* FROM c WHERE ${where.join(' AND ')} ORDER BY ${order}`;
    return this.call(async (c) => {
      const { resources } = await c.items
        .query<T>(
          { query, parameters: parameters as never },
          { partitionKey: spec.partitionKey ?? undefined, maxItemCount: -1 },
        )
        .fetchAll();
      return resources.map((r) => withoutSystemProperties<T>(r));
    });
  }

  async listKeys(partitionKey?: PartitionKey): Promise<Array<{ id: string; partitionKey: PartitionKey }>> {
    const pk = cosmosPath(this.partitionKeyPath);
    const query =
      partitionKey === undefined
        ? { query: `SELECT c.id, ${pk} AS pk FROM c` }
        : {
            query: `SELECT c.id, ${pk} AS pk FROM c WHERE ${pk} = @pk`,
            parameters: [{ name: '@pk', value: partitionKey }],
          };
    return this.call(async (c) => {
      const { resources } = await c.items
        .query<{ id: string; pk: PartitionKey }>(query, { maxItemCount: -1 })
        .fetchAll();
      return resources.map((r) => ({ id: r.id, partitionKey: r.pk ?? null }));
    });
  }

  private partitionKeyOf(document: ContainerDocument): PartitionKey {
    let value: unknown = document;
    for (const segment of this.pkSegments) {
      value =
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[segment] : undefined;
    }
    if (value === undefined || (value !== null && typeof value === 'object')) {
      throw new ContainerError(400, `document lacks a partition key value at ${this.partitionKeyPath}`);
    }
    return value as PartitionKey;
  }

  /** Runs a request, retrying throttled ones after the server's retry-after and mapping errors. */
  private async call<R>(request: (container: Container) => Promise<R>): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(await this.container());
      } catch (error) {
        if (error instanceof ContainerError) throw error;
        const status = statusOf(error);
        if (status === 429 && attempt < this.throttleRetries) {
          await this.sleep(retryAfterMs(error));
          continue;
        }
        if (status === undefined) {
          // Unreachable is a store outage (503, retried by callers), not a bug to surface as a 500.
          if (isUnreachable(error))
            throw new ContainerError(503, `Cosmos DB is unreachable: ${errorMessage(error)}`, undefined, {
              cause: error,
            });
          throw error;
        }
        const message = (error as CosmosErrorLike).message ?? `Cosmos DB answered ${status}`;
        throw new ContainerError(status === 429 ? 503 : status, message.split('\n')[0], undefined, {
          cause: error,
        });
      }
    }
  }
}

function toOperation(operation: BatchOperation, partitionKey: PartitionKey): OperationInput {
  // Operations carry the partition key too: the test server needs it on reads, deletes, replaces.
  const pk = partitionKey ?? undefined;
  switch (operation.op) {
    case 'create':
      return {
        operationType: 'Create',
        resourceBody: operation.document,
        partitionKey: pk,
      } as OperationInput;
    case 'upsert':
      return {
        operationType: 'Upsert',
        resourceBody: operation.document,
        partitionKey: pk,
      } as OperationInput;
    case 'replace':
      return {
        operationType: 'Replace',
        id: operation.document.id,
        resourceBody: operation.document,
        ifMatch: operation.ifMatch,
        partitionKey: pk,
      } as OperationInput;
    case 'delete':
      return {
        operationType: 'Delete',
        id: operation.id,
        ifMatch: operation.ifMatch,
        partitionKey: pk,
      } as OperationInput;
    case 'read':
      return { operationType: 'Read', id: operation.id, partitionKey: pk } as OperationInput;
  }
}
