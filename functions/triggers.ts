/** Binding settings shared by the app's Cosmos DB triggers (docs/architecture.md: stores, configuration). */
import { DEFAULT_DATABASE } from '../stores/layout';

/** The app setting holding the Cosmos DB connection string (ignored by the local host, which serves its own store). */
export const COSMOS_CONNECTION_SETTING = 'CosmosDBConnection';

/** Change-feed trigger options on `container`, with a lease prefix of its own per handler so each sees every change. */
export function changeFeedOn(container: 'commands' | 'events', leasePrefix: string) {
  return {
    connection: COSMOS_CONNECTION_SETTING,
    databaseName: process.env.COSMOS_DATABASE || DEFAULT_DATABASE,
    containerName: container,
    leaseContainerName: 'leases',
    leaseContainerPrefix: `${leasePrefix}-`,
    createLeaseContainerIfNotExists: true,
    startFromBeginning: true,
  };
}
