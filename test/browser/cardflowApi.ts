/**
 * Setting up the browser scenarios through the app's own HTTP API (docs/architecture.md, HTTP API), as a client
 * would: open accounts, load credits, request transfers, and wait for each command's outcome. Every
 * call is made as a real, authenticated user of the host's Easy Auth (test/support/callers.ts): the
 * owner opens, the requester requests, an approver decides, and the operator reads.
 */
import type { TestHost } from '@cardflow/local-host';
import type { DecideTransfer, RequestTransfer } from '../../domain/commands';
import type {
  AccountResponse,
  CommandAccepted as Accepted,
  CommandStatusResponse as CommandOutcome,
  TransferResponse,
} from '../../functions/http/schemas';
import { Callers, type Role } from '../support/callers';

export type { Accepted, CommandOutcome };

/** The operator the scenarios read as (operators read everything). */
export const READER = 'olga';

/** The host and its users; `users` are made with their roles before anything is called. */
export class Scenario {
  readonly callers: Callers;

  constructor(
    readonly host: TestHost,
    users: Record<string, Role[]>,
  ) {
    this.callers = new Callers(host);
    this.callers.as(READER, 'operator');
    for (const [id, roles] of Object.entries(users)) this.callers.as(id, ...roles);
  }

  /** The headers of a user made in the constructor (their roles as given there). */
  as(id: string): Record<string, string> {
    return this.callers.as(id);
  }
}

async function post(scenario: Scenario, as: string, path: string, body: unknown): Promise<Accepted> {
  const response = await scenario.host.fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...scenario.as(as) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 202) throw new Error(`POST ${path} as ${as}: ${response.status} ${text}`);
  return JSON.parse(text) as Accepted;
}

async function read<T>(scenario: Scenario, path: string): Promise<T> {
  const response = await scenario.host.fetch(path, { headers: scenario.as(READER) });
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Waits until the host is idle, then reads the command; it must have succeeded. */
export async function settled(scenario: Scenario, accepted: Accepted): Promise<CommandOutcome> {
  // Generous: the machine's two cores are shared with other test suites.
  await scenario.host.waitForIdle({ timeoutMs: 60_000 });
  const outcome = await read<CommandOutcome>(scenario, `/api/commands/${accepted.commandId}`);
  if (outcome.status !== 'succeeded')
    throw new Error(`command ${accepted.commandId}: ${JSON.stringify(outcome)}`);
  return outcome;
}

/** Opens an account as its owner (a customer). */
export async function openAccount(
  scenario: Scenario,
  accountId: string,
  ownerId: string,
  ownerName: string,
): Promise<void> {
  await settled(
    scenario,
    await post(scenario, ownerId, '/api/accounts', { accountId, ownerName, kind: 'user' }),
  );
}

/** Loads credits as the operator (who may load onto any account). */
export async function loadCredits(
  scenario: Scenario,
  accountId: string,
  loadId: string,
  amount: number,
): Promise<void> {
  await settled(
    scenario,
    await post(scenario, READER, `/api/accounts/${accountId}/loads`, { loadId, amount }),
  );
}

/** Requests a transfer as `requestedBy`, who must own the source account. */
export async function requestTransfer(scenario: Scenario, transfer: RequestTransfer['data']): Promise<void> {
  const { requestedBy, ...body } = transfer;
  await settled(scenario, await post(scenario, requestedBy, '/api/transfers', body));
}

/** A decision sent straight to the API by `approver` (another approver, in another browser). */
export async function decide(
  scenario: Scenario,
  transferId: string,
  decision: DecideTransfer['data']['decision'],
  approver: string,
): Promise<void> {
  await settled(
    scenario,
    await post(scenario, approver, `/api/transfers/${transferId}/decision`, { decision }),
  );
}

export async function transferStatus(
  scenario: Scenario,
  transferId: string,
): Promise<TransferResponse['status']> {
  return (await read<TransferResponse>(scenario, `/api/transfers/${transferId}`)).status;
}

export async function balances(
  scenario: Scenario,
  accountId: string,
): Promise<Pick<AccountResponse, 'available' | 'reserved'>> {
  const { available, reserved } = await read<AccountResponse>(scenario, `/api/accounts/${accountId}`);
  return { available, reserved };
}
