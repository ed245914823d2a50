/** The durable backend (Durable Functions on SQLite): public surface. */
export { createDurableService, DurableService } from './service';
export type { DurableServiceOptions } from './settings';
export { durableClientData, WEBHOOK_PATH } from './clientData';
export type { DurableClientData, ManagementUrls } from './clientData';
export type { RuntimeStatus, InstanceRecord, InstanceFilter } from './store';
export type { EntityRecord } from './entityStore';
export { entityInstanceId } from './entities';
