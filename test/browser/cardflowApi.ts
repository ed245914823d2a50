/**
 * Setting up the browser scenarios through the app's own HTTP API (docs/architecture.md, HTTP API), as a client
 * would: open accounts, load credits, request transfers, and wait for each command's outcome.
 */
import type { TestHost } from '@cardflow/local-host';
import type { DecideTransfer, RequestTransfer } from '../../domain/commands';
import type {
  AccountResponse,
  CommandAccepted as Accepted,
  CommandStatusResponse as CommandOutcome,
  TransferResponse,
} from '../../functions/http/schemas';

export type { Accepted, CommandOutcome };

async function post(host: TestHost, path: string, body: unknown): Promise<Accepted> {
  const response = await host.fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 202) throw new Error(`POST ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as Accepted;
}

/** Waits until the host is idle, then reads the command; it must have succeeded. */
export async function settled(host: TestHost, accepted: Accepted): Promise<CommandOutcome> {
  // Generous: the machine's two cores are shared with other test suites.
  await host.waitForIdle({ timeoutMs: 60_000 });
  const response = await host.fetch(`/api/commands/${accepted.commandId}`);
  const outcome = (await response.json()) as CommandOutcome;
  if (outcome.status !== 'succeeded')
    throw new Error(`command ${accepted.commandId}: ${JSON.stringify(outcome)}`);
  return outcome;
}

export async function openAccount(
  host: TestHost,
  accountId: string,
  ownerId: string,
  ownerName: string,
): Promise<void> {
  await settled(host, await post(host, '/api/accounts', { accountId, ownerId, ownerName, kind: 'user' }));
}

export async function loadCredits(
  host: TestHost,
  accountId: string,
  loadId: string,
  amount: number,
): Promise<void> {
  await settled(host, await post(host, `/api/accounts/${accountId}/loads`, { loadId, amount }));
}

export async function requestTransfer(host: TestHost, transfer: RequestTransfer['data']): Promise<void> {
  await settled(host, await post(host, '/api/transfers', transfer));
}

/** A decision sent straight to the API (another approver, in another browser). */
export async function decide(
  host: TestHost,
  transferId: string,
  decision: DecideTransfer['data']['decision'],
  approver: string,
): Promise<void> {
  await settled(host, await post(host, `/api/transfers/${transferId}/decision`, { decision, approver }));
}

export async function transferStatus(
  host: TestHost,
  transferId: string,
): Promise<TransferResponse['status']> {
  const response = await host.fetch(`/api/transfers/${transferId}`);
  return ((await response.json()) as TransferResponse).status;
}

export async function balances(
  host: TestHost,
  accountId: string,
): Promise<Pick<AccountResponse, 'available' | 'reserved'>> {
  const response = await host.fetch(`/api/accounts/${accountId}`);
  const { available, reserved } = (await response.json()) as AccountResponse;
  return { available, reserved };
}
