/** The local Azure Functions host: public surface. See runtime/README.md. */
export { startHost, DEFAULT_PORT, DEFAULT_DATA_DIR, DATA_FILE_NAME } from './host';
export type { Host, HostOptions, HttpFunctionInfo } from './host';
export { createTestHost } from './testHost';
export type { TestHost, TestHostOptions } from './testHost';
export { defaultServices } from './services';
export { RealClock, VirtualClock } from './clock';
export type { Clock } from './clock';
export { AppLoadError } from './worker/loadApp';
export { UnknownFunctionError } from './worker/invoker';
export { sendProblem } from './http/problem';
export type { Problem } from './http/problem';
export { consoleLogger, MemoryLogger } from './logger';
export type * from './contracts';
