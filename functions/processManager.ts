/** Registers the process manager's orchestrations (docs/architecture.md), each with its episodes traced (episodes.ts). */
import * as df from 'durable-functions';
import { ORCHESTRATIONS } from '../orchestrations/index';
import { withEpisodes } from './episodes';

for (const [name, orchestrator] of ORCHESTRATIONS)
  df.app.orchestration(name, withEpisodes(name, orchestrator));
