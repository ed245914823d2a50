/**
 * The reconciler (docs/architecture.md, operations): a timer function that finishes transfers whose
 * process ended abnormally — terminated, failed, or purged / never started — by releasing their
 * reservation and recording `TransferFailed {process_ended}` (see reconcile/reconcileTransfers.ts),
 * once no activity of the ended process can still be running (`ENDED_GRACE_MS`, reconcile/select.ts).
 * Schedule: the app setting `RECONCILER_SCHEDULE` (validated in settings.ts), default every minute.
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { OUTFLOW_WINDOW_ENTITY, type CancelOutflow } from '../entities/contracts';
import { outflowWindowMode } from '../orchestrations/outflowWindow';
import { getStores } from '../stores';
import { appLog } from '../telemetry';
import { now } from './clock';
import { reconcileTransfers } from './reconcile/reconcileTransfers';
import { currentSettings } from './settings';
import { TransferProcessClient } from './transferProcessClient';

export const RECONCILER = 'reconcileTransfers';

export async function reconciler(_timer: Timer, context: InvocationContext): Promise<void> {
  const client = df.getClient(context);
  const processes = new TransferProcessClient(client);
  const stores = getStores();
  const summary = await reconcileTransfers({
    events: stores.events,
    views: stores.views,
    process: async (transferId) => {
      const status = await processes.status(transferId);
      return status
        ? {
            exists: true,
            runtimeStatus: status.runtimeStatus,
            lastUpdatedAt: Date.parse(status.lastUpdatedTime),
          }
        : { exists: false };
    },
    // In `stream` mode the release itself takes the transfer out of the window.
    cancelOutflow:
      outflowWindowMode() === 'entity'
        ? (fromAccountId, transferId) => {
            const cancel: CancelOutflow = { transferId };
            return client.signalEntity(
              new df.EntityId(OUTFLOW_WINDOW_ENTITY, fromAccountId),
              'cancel',
              cancel,
            );
          }
        : null,
    now,
    log: (line, fields) => appLog(context).info(line, fields),
  });
  if (summary.acted.length > 0)
    appLog(context).info(
      `reconciler: ${summary.acted.length} of ${summary.examined} open transfer(s) finished`,
      {
        finished: summary.acted.length,
        examined: summary.examined,
      },
    );
}

app.timer(RECONCILER, {
  // Read in code rather than as `%RECONCILER_SCHEDULE%`: the host refuses a `%name%` that is not set, and the setting has a default.
  schedule: currentSettings().reconcilerSchedule,
  extraInputs: [df.input.durableClient()],
  handler: (timer: Timer, context: InvocationContext) => reconciler(timer, context),
});
