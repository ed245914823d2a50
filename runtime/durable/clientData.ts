/**
 * The durable client binding's data and the check-status payload, shaped as the Azure extension
 * makes them, so the SDK's own DurableClient talks to this host (it prefers `rpcBaseUrl`).
 */

export const WEBHOOK_PATH = '/runtime/webhooks/durabletask';
const INSTANCE_PLACEHOLDER = 'INSTANCEID';

export interface ManagementUrls {
  id: string;
  statusQueryGetUri: string;
  sendEventPostUri: string;
  terminatePostUri: string;
  rewindPostUri: string;
  purgeHistoryDeleteUri: string;
  restartPostUri: string;
  suspendPostUri: string;
  resumePostUri: string;
}

export interface DurableClientData {
  taskHubName: string;
  creationUrls: { createNewInstancePostUri: string; createAndWaitOnNewInstancePostUri: string };
  managementUrls: ManagementUrls;
  baseUrl: string;
  requiredQueryStringParameters: string;
  rpcBaseUrl: string;
}

function hubQuery(hubName: string): string {
  return `taskHub=${encodeURIComponent(hubName)}&connection=Storage`;
}

/** The management URLs of one instance (`id` is put in as given: the client data uses a placeholder). */
export function managementUrls(
  origin: string,
  hubName: string,
  id: string,
  encodedId = encodeURIComponent(id),
): ManagementUrls {
  const base = `${origin}${WEBHOOK_PATH}/instances/${encodedId}`;
  const q = hubQuery(hubName);
  return {
    id,
    statusQueryGetUri: `${base}?${q}`,
    sendEventPostUri: `${base}/raiseEvent/{eventName}?${q}`,
    terminatePostUri: `${base}/terminate?reason={text}&${q}`,
    rewindPostUri: `${base}/rewind?reason={text}&${q}`,
    purgeHistoryDeleteUri: `${base}?${q}`,
    restartPostUri: `${base}/restart?${q}`,
    suspendPostUri: `${base}/suspend?reason={text}&${q}`,
    resumePostUri: `${base}/resume?reason={text}&${q}`,
  };
}

export function durableClientData(origin: string, hubName: string): DurableClientData {
  const base = `${origin}${WEBHOOK_PATH}`;
  const q = hubQuery(hubName);
  return {
    taskHubName: hubName,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?${q}`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${q}`,
    },
    managementUrls: managementUrls(origin, hubName, INSTANCE_PLACEHOLDER, INSTANCE_PLACEHOLDER),
    baseUrl: base,
    requiredQueryStringParameters: q,
    rpcBaseUrl: `${base}/`,
  };
}
