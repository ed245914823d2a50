/** Binding settings shared by the app's Cosmos DB triggers (docs/architecture.md: stores, configuration). */
import { DEFAULT_DATABASE } from '../stores/layout';

/**
 * The Cosmos DB connection of the triggers: the setting holding a connection string, or the prefix of
 * an identity-based one (`CosmosDBConnection__accountEndpoint`, `__credential`, `__clientId`), as
 * Azure Functions resolves connections. The local host serves its own store unless told otherwise.
 */
export const COSMOS_CONNECTION_SETTING = 'CosmosDBConnection';

/** An identity-based connection: the identity holds data-plane roles only and may create no container. */
function keyless(): boolean {
  return (
    !process.env[COSMOS_CONNECTION_SETTING] && !!process.env[`${COSMOS_CONNECTION_SETTING}__accountEndpoint`]
  );
}

/** Change-feed trigger options on `container`, with a lease prefix of its own per handler so each sees every change. */
export function changeFeedOn(container: 'commands' | 'events', leasePrefix: string) {
  return {
    connection: COSMOS_CONNECTION_SETTING,
    databaseName: process.env.COSMOS_DATABASE || DEFAULT_DATABASE,
    containerName: container,
    leaseContainerName: 'leases',
    leaseContainerPrefix: `${leasePrefix}-`,
    // infra/ declares the lease container; only a key connection may create it.
    createLeaseContainerIfNotExists: !keyless(),
    startFromBeginning: true,
  };
}
