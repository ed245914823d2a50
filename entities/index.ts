/** Registers the app's durable entities (import for the side effect). */
import * as df from 'durable-functions';
import { OUTFLOW_WINDOW_ENTITY } from './contracts';
import { outflowWindowEntity } from './outflowWindow';

df.app.entity(OUTFLOW_WINDOW_ENTITY, outflowWindowEntity);
