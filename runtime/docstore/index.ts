/** The local document store, its change feed and the Cosmos DB trigger service. See runtime/docstore/README.md. */
export { LocalDocumentStore, LocalContainer, onDocumentChange, MAX_BATCH_OPERATIONS } from './documentStore';
export type {
  BatchOperation,
  BatchResult,
  ContainerOptions,
  DocumentInput,
  PartitionKeyValue,
  QueryFilter,
  QuerySpec,
  StoredDocument,
  WriteOptions,
} from './documentStore';
export { DocumentStoreError } from './errors';
export type { DocumentStoreErrorCode } from './errors';
export { ChangeFeedReader } from './changeFeed';
export type { ChangeFeedReaderOptions, LeaseDocument } from './changeFeed';
export { CosmosDBTriggerService } from './cosmosTriggerService';
export { LocalDocumentStoreService } from './localDocumentStoreService';
export type { LocalDocumentStoreOptions } from './localDocumentStoreService';
export type { CosmosTriggerOptions } from './cosmosTriggerService';
export { getLocalDatabase, setLocalDatabase, clearLocalDatabase, documentDatabaseOf } from './localDatabase';
export { COSMOS_TRIGGER_SOURCE_SETTING } from './cosmosTriggerService';
export type { CosmosTriggerSource } from './cosmosTriggerService';
export type { AccountTokenCredential } from './accountChangeFeed';
