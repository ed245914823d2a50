/**
 * The command handler (docs/architecture.md, the flow, step 2): the `commands` container's change feed triggers it;
 * see commands/handleCommands.ts for what it does with a batch.
 */
import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getStores } from '../stores';
import { appLog, measure } from '../telemetry';
import { now, nowIso } from './clock';
import { feedHandled } from './health/signals';
import { handleCommands } from './commands/handleCommands';
import { TransferProcessClient } from './transferProcessClient';
import { changeFeedOn } from './triggers';

export const COMMAND_HANDLER = 'commandHandler';

export async function commandHandler(documents: unknown[], context: InvocationContext): Promise<void> {
  const handledAt = now();
  for (const document of documents) {
    const submittedAt = (document as { submittedAt?: unknown } | null)?.submittedAt;
    if (typeof submittedAt !== 'string') continue;
    measure.changeFeedLag('commands', handledAt - Date.parse(submittedAt));
    feedHandled('commands', handledAt - Date.parse(submittedAt), handledAt);
  }
  const results = await handleCommands(
    { stores: getStores(), processes: () => new TransferProcessClient(df.getClient(context)), now: nowIso },
    documents,
  );
  for (const result of results) {
    if (result.result === 'dead-lettered')
      appLog(context).error(
        `command ${result.commandId} failed after ${result.attempts} attempt(s) and was dead-lettered`,
        {
          commandId: result.commandId,
          attempts: result.attempts,
          error: result.error,
        },
      );
  }
}

app.cosmosDB(COMMAND_HANDLER, {
  ...changeFeedOn('commands', COMMAND_HANDLER),
  extraInputs: [df.input.durableClient()],
  handler: (documents: unknown[], context: InvocationContext) => commandHandler(documents, context),
});
