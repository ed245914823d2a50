/** Registers the app's orchestrations (import for the side effect). */
import * as df from 'durable-functions';
import { TRANSFER_PROCESS } from './contracts';
import { transferProcess } from './transferProcess';

df.app.orchestration(TRANSFER_PROCESS, transferProcess);
