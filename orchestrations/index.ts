/**
 * The app's orchestrations, by name: functions/processManager.ts registers each (with its episodes
 * traced there, so the orchestrators themselves stay free of I/O).
 */
import type * as df from 'durable-functions';
import { TRANSFER_PROCESS } from './contracts';
import { transferProcess } from './transferProcess';

export const ORCHESTRATIONS: ReadonlyArray<[name: string, orchestrator: df.OrchestrationHandler]> = [
  [TRANSFER_PROCESS, transferProcess],
];
