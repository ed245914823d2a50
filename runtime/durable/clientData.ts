/**
 * The durable client binding's data and the check-status payload, shaped as the Azure extension
 * makes them, so the SDK's own DurableClient talks to this host (it prefers `rpcBaseUrl`).
 * `rpcBaseUrl` points at the keyless, this-machine-only RPC base (as Azure's loopback extension
 * endpoint); with a system key (keys configured) the public URLs carry `code=<key>`.
 */
import { DURABLE_RPC_PATH } from '../http/auth';

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

/** The query every public management URL carries: the hub, and the system key when there is one. */
function hubQuery(hubName: string, systemKey: string | undefined): string {
  const code = systemKey === undefined ? '' : `&code=${encodeURIComponent(systemKey)}`;
  return `taskHub=${encodeURIComponent(hubName)}&connection=Storage${code}`;
}

/** The management URLs of one instance (`id` is put in as given: the client data uses a placeholder). */
export function managementUrls(
  origin: string,
  hubName: string,
  id: string,
  encodedId = encodeURIComponent(id),
  systemKey?: string,
): ManagementUrls {
  const base = `${origin}${WEBHOOK_PATH}/instances/${encodedId}`;
  const q = hubQuery(hubName, systemKey);
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

/**
 * The client data: public URLs below `origin` (the address the caller used, else the host's own),
 * `rpcBaseUrl` below `rpcOrigin` (the host's own address; default `origin`).
 */
export function durableClientData(
  origin: string,
  hubName: string,
  systemKey?: string,
  rpcOrigin: string = origin,
): DurableClientData {
  const base = `${origin}${WEBHOOK_PATH}`;
  const q = hubQuery(hubName, systemKey);
  return {
    taskHubName: hubName,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?${q}`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${q}`,
    },
    managementUrls: managementUrls(origin, hubName, INSTANCE_PLACEHOLDER, INSTANCE_PLACEHOLDER, systemKey),
    baseUrl: base,
    requiredQueryStringParameters: q,
    // As the extension's local RPC endpoint (Core Tools too): keyless, this machine only, in every mode.
    rpcBaseUrl: `${rpcOrigin}${DURABLE_RPC_PATH}/`,
  };
}
