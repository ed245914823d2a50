/**
 * The local Azure Functions host (`@cardflow/local-host`): its public surface. Everything outside
 * runtime/ imports the host from here, by package name; see runtime/README.md.
 */
export {
  startHost,
  DEFAULT_PORT,
  DEFAULT_DATA_DIR,
  DATA_FILE_NAME,
  ListenError,
  SQLITE_SYNCHRONOUS_SETTING,
} from './host';
export type { Host, HostOptions, HttpFunctionInfo } from './host';
export { createTestHost } from './testHost';
export type { TestHost, TestHostOptions } from './testHost';
export { defaultServices } from './services';
export { Database, Statement, SqliteError } from './sqlite';
export type { DatabaseOptions, RunResult, BindValue, BindParameters } from './sqlite';
export { RealClock, VirtualClock } from './clock';
export type { Clock } from './clock';
export { applySettings, readLocalSettings } from './settings';
export { AppLoadError } from './worker/loadApp';
export { UnknownFunctionError } from './worker/invoker';
export { sendProblem } from './http/problem';
export type { Problem } from './http/problem';
export { consoleLogger, MemoryLogger } from './logger';
export type * from './contracts';
export { createDurableService, DurableService } from './durable';
export type { DurableServiceOptions, RuntimeStatus, InstanceRecord } from './durable';
export { EventGridTopicService } from './eventgrid';
export type { CloudEventRecord, DeadLetterRecord } from './eventgrid';
export {
  LocalDocumentStore,
  LocalDocumentStoreService,
  CosmosDBTriggerService,
  DocumentStoreError,
} from './docstore';
export { LOCAL_HOST_SEAM } from './docstore/localDatabase';
export type { LocalHostSeam, LocalHostResources } from './docstore/localDatabase';
export type { LocalUser } from './easyauth/users';
export { principalHeaders } from './easyauth/principal';
export { TimerTriggerService, parseSchedule, ScheduleError } from './timer';
export { TelemetryService, TraceStore, MetricStore, OTLP_TRACES_PATH, TRACES_ROUTE } from './telemetry';
export type { TelemetryServiceOptions, TraceSummary, ReceivedSpan, ReceivedPoint } from './telemetry';
