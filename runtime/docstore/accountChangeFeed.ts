/**
 * The Cosmos DB trigger served from a Cosmos DB account (the binding's `connection`), for running an
 * app in its Azure configuration on this host: the app writes through the Cosmos SDK, and its
 * `app.cosmosDB` functions receive the container's changes from the same account.
 *
 * The feed polls the container's documents (a read feed) and delivers those whose `_etag` it has not
 * delivered yet, the latest version of each, ordered by `_ts` (seconds) and, within a second, by the
 * order the account lists them. @vercel/cosmosdb-server, the test server, has no change feed (it
 * answers an incremental-feed request with every document); it lists documents by `_rid`, which is
 * creation order, and a rewritten document keeps its place. So changes are in order within every
 * partition whose documents are only created (the app's `events`) or that hold one document (its
 * `commands`, partitioned by `/id`); a document rewritten in the same second as a newer one's
 * creation may come first. Each poll reads the whole container: for test and development accounts,
 * not for big ones.
 *
 * As the local feed: batches of at most `maxItems`, one at a time per function, remembered as
 * delivered only after the invocation succeeded (at-least-once); a failed batch is read again and
 * retried after a backoff on the host clock (1 s, doubling up to 1 min). Deletes are not delivered
 * (latest-version mode). What was delivered is kept in memory, not in lease documents: a restarted
 * host starts again from the beginning (`startFromBeginning`) or from what the container holds then.
 */
import type { Agent } from 'node:http';
import { CosmosClient, type Container } from '@azure/cosmos';
import type { HostContext } from '../contracts';

/** What a keyless connection signs in with (structurally @azure/identity's TokenCredential). */
export interface AccountTokenCredential {
  getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

/** An account as the binding's connection names it. */
export type AccountConnection =
  { kind: 'key'; endpoint: string; key: string } | { kind: 'identity'; endpoint: string };

/**
 * The account a binding's `connection` names, as Azure Functions resolves it: the setting itself as
 * a connection string (`AccountEndpoint=...;AccountKey=...;`), else `{connection}__accountEndpoint`
 * (identity-based). Undefined when neither is set.
 *
 * @throws Error for a connection string without AccountEndpoint and AccountKey.
 */
export function accountConnectionOf(
  connection: string,
  settings: HostContext['settings'],
): AccountConnection | undefined {
  const value = settings[connection]?.trim();
  if (value) {
    const parts = new Map<string, string>();
    for (const part of value.split(';')) {
      const at = part.indexOf('=');
      if (at > 0) parts.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
    }
    const endpoint = parts.get('accountendpoint');
    const key = parts.get('accountkey');
    if (!endpoint || !key) throw new Error(`the setting ${connection} needs AccountEndpoint and AccountKey`);
    return { kind: 'key', endpoint, key };
  }
  const endpoint = settings[`${connection}__accountEndpoint`]?.trim();
  return endpoint ? { kind: 'identity', endpoint } : undefined;
}

/**
 * The platform's managed identity, as the Functions host signs in on App Service and Flex
 * Consumption: a GET of the identity endpoint `IDENTITY_ENDPOINT` (api-version 2019-08-01) with the
 * `IDENTITY_HEADER` secret, for the scope's resource; `clientId` picks a user-assigned identity (the
 * connection's `{connection}__clientId`). Tokens are reused until five minutes before they expire.
 * Undefined when the endpoint is not configured.
 */
export function platformIdentityCredential(
  settings: HostContext['settings'],
  clientId?: string,
): AccountTokenCredential | undefined {
  const endpoint = settings.IDENTITY_ENDPOINT?.trim();
  const secret = settings.IDENTITY_HEADER?.trim();
  if (!endpoint || !secret) return undefined;
  const cache = new Map<string, { token: string; expiresOnTimestamp: number }>();
  return {
    async getToken(scopes) {
      const resource = [scopes].flat()[0].replace(/\/\.default$/, '');
      const cached = cache.get(resource);
      if (cached && cached.expiresOnTimestamp - 5 * 60_000 > Date.now()) return cached;
      const url = new URL(endpoint);
      url.searchParams.set('resource', resource);
      url.searchParams.set('api-version', '2019-08-01');
      if (clientId) url.searchParams.set('client_id', clientId);
      const response = await fetch(url, { headers: { 'X-IDENTITY-HEADER': secret } });
      if (!response.ok) throw new Error(`the identity endpoint answered ${response.status} for ${resource}`);
      const body = (await response.json()) as { access_token?: unknown; expires_on?: unknown };
      const expiresOn = Number(body.expires_on);
      if (typeof body.access_token !== 'string' || !Number.isFinite(expiresOn))
        throw new Error(`the identity endpoint gave no token for ${resource}`);
      const token = { token: body.access_token, expiresOnTimestamp: expiresOn * 1000 };
      cache.set(resource, token);
      return token;
    },
  };
}

export interface AccountClientOptions {
  /** Signs in for identity-based connections; default: the platform's identity endpoint, when configured. */
  credential?: AccountTokenCredential;
  /** An agent for the client (tests: one trusting a loopback server's certificate). */
  agent?: Agent;
}

/** A client for the account. Endpoint discovery is off for loopback accounts (the emulator, the test server). */
export function accountClientOf(connection: AccountConnection, options: AccountClientOptions): CosmosClient {
  const host = new URL(connection.endpoint).hostname;
  const loopback = host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  const common = {
    endpoint: connection.endpoint,
    connectionPolicy: { enableEndpointDiscovery: !loopback },
    ...(options.agent ? { agent: options.agent } : {}),
  };
  if (connection.kind === 'key') return new CosmosClient({ ...common, key: connection.key });
  if (!options.credential)
    throw new Error(
      `an identity-based connection (${connection.endpoint}) needs a credential: IDENTITY_ENDPOINT and IDENTITY_HEADER (the platform's managed identity), or new CosmosDBTriggerService({ credential })`,
    );
  return new CosmosClient({ ...common, aadCredentials: options.credential });
}

/** A document as the account returns it, with its system properties. */
export interface AccountDocument {
  id: string;
  _etag?: string;
  _rid?: string;
  _ts?: number;
  [property: string]: unknown;
}

export interface AccountFeedOptions {
  startFromBeginning: boolean;
  maxItems: number;
}

/** One container's changes, as seen by one function. */
export class AccountChangeFeed {
  /** Document (by `_rid`, else id) → the `_etag` last delivered. */
  private readonly delivered = new Map<string, string>();
  private started = false;

  constructor(
    private readonly container: Container,
    private readonly options: AccountFeedOptions,
  ) {}

  /** The next batch not yet delivered (without marking it delivered); empty when caught up. */
  async nextBatch(): Promise<AccountDocument[]> {
    const { resources } = await this.container.items.readAll<AccountDocument>().fetchAll();
    // Stable: within one `_ts` second, the account's own (write) order.
    const ordered = resources
      .map((document, index) => ({ document, index }))
      .sort((a, b) => (a.document._ts ?? 0) - (b.document._ts ?? 0) || a.index - b.index)
      .map((entry) => entry.document);
    if (!this.started) {
      this.started = true;
      if (!this.options.startFromBeginning) {
        this.markDelivered(ordered);
        return [];
      }
    }
    return ordered
      .filter((document) => this.delivered.get(keyOf(document)) !== (document._etag ?? ''))
      .slice(0, this.options.maxItems);
  }

  /** Remembers these versions as delivered (after a successful invocation). */
  markDelivered(documents: readonly AccountDocument[]): void {
    for (const document of documents) this.delivered.set(keyOf(document), document._etag ?? '');
  }
}

function keyOf(document: AccountDocument): string {
  return document._rid ?? `id:${document.id}`;
}
