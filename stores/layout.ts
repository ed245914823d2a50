/** The containers of the app and their partition key paths, the same in Cosmos DB and locally (docs/architecture.md, stores). */
export const CONTAINERS = {
  commands: '/id',
  events: '/streamId',
  views: '/pk',
  /** Change feed leases of the `cosmosDBTrigger` functions. */
  leases: '/id',
} as const;

export type ContainerName = keyof typeof CONTAINERS;

/** The database name when `COSMOS_DATABASE` is not set. */
export const DEFAULT_DATABASE = 'cardflow';
