/**
 * How the app reaches Cosmos DB, from its settings, named as Azure Functions names connections:
 *
 * - `CosmosDBConnection` = `AccountEndpoint=...;AccountKey=...;`: a key (the emulator, the test
 *   server, a developer's own account). The database and containers are created when missing.
 * - `CosmosDBConnection__accountEndpoint` = `https://{account}.documents.azure.com:443/`: an
 *   identity-based connection (what infra/ deploys). The client signs in with a token credential
 *   (`DefaultAzureCredential` unless one is given: the Function App's managed identity in Azure,
 *   `AZURE_CLIENT_ID` choosing a user-assigned one); the identity holds data-plane roles only, so
 *   the app creates nothing and expects the database and containers infra/ declares.
 *
 * A connection string wins when both are set, as in Azure Functions.
 */
import type { Agent } from 'node:http';
import { CosmosClient } from '@azure/cosmos';
import type { TokenCredential } from '@azure/identity';
import { defaultAzureCredential } from '../azureCredential';

/** The app setting (and, with `__accountEndpoint`, the prefix) of the Cosmos DB connection. */
export const COSMOS_CONNECTION = 'CosmosDBConnection';
export const COSMOS_ACCOUNT_ENDPOINT = `${COSMOS_CONNECTION}__accountEndpoint`;

export type CosmosConnection =
  { kind: 'key'; endpoint: string; key: string } | { kind: 'identity'; endpoint: string };

export type Env = Readonly<Record<string, string | undefined>>;

function setting(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Reads `AccountEndpoint=...;AccountKey=...;` (the CosmosDBConnection setting). */
export function parseConnectionString(connection: string): { endpoint: string; key: string } {
  const parts = new Map<string, string>();
  for (const part of connection.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) parts.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const endpoint = parts.get('accountendpoint');
  const key = parts.get('accountkey');
  if (!endpoint || !key)
    throw new Error(
      `${COSMOS_CONNECTION} needs AccountEndpoint and AccountKey; for a keyless connection set ${COSMOS_ACCOUNT_ENDPOINT} instead`,
    );
  return { endpoint, key };
}

/**
 * The connection the settings describe, or undefined when neither setting is present.
 *
 * @throws Error for a connection string without its parts, or an endpoint that is not an http(s) URL.
 * @example cosmosConnectionOf({ CosmosDBConnection__accountEndpoint: 'https://a.documents.azure.com:443/' }).kind // 'identity'
 */
export function cosmosConnectionOf(env: Env = process.env): CosmosConnection | undefined {
  const connectionString = setting(env, COSMOS_CONNECTION);
  if (connectionString !== undefined) return { kind: 'key', ...parseConnectionString(connectionString) };
  const endpoint = setting(env, COSMOS_ACCOUNT_ENDPOINT);
  if (endpoint === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new Error(`${COSMOS_ACCOUNT_ENDPOINT} must be the account's https URL, not '${endpoint}'`);
  return { kind: 'identity', endpoint };
}

/** What a client needs beside the connection: the credential of a keyless one, an agent (tests: a CA). */
export interface CosmosClientOptions {
  /** For an identity-based connection; default `DefaultAzureCredential`. */
  credential?: TokenCredential;
  agent?: Agent;
}

/**
 * A client for the connection. Endpoint discovery is off for loopback endpoints (the emulator and
 * @vercel/cosmosdb-server advertise locations the SDK must not follow).
 */
export function cosmosClientOf(
  connection: CosmosConnection,
  options: CosmosClientOptions = {},
): CosmosClient {
  const host = new URL(connection.endpoint).hostname;
  const loopback = host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  const common = {
    endpoint: connection.endpoint,
    connectionPolicy: { enableEndpointDiscovery: !loopback },
    ...(options.agent ? { agent: options.agent } : {}),
  };
  if (connection.kind === 'key') return new CosmosClient({ ...common, key: connection.key });
  return new CosmosClient({ ...common, aadCredentials: options.credential ?? defaultAzureCredential() });
}

/** A client for a connection string (the key path). */
export function cosmosClientFor(connection: string): CosmosClient {
  return cosmosClientOf({ kind: 'key', ...parseConnectionString(connection) });
}
