/**
 * Who may do what through the HTTP API (docs/architecture.md, "Identity and authorization"):
 *
 * - `customer`: opens accounts for themselves, loads onto and closes accounts they own, requests
 *   transfers from them, reads them, their statements and the transfers from or to them;
 * - `approver`: reads the approvals inbox and transfers, and decides (never on a transfer they
 *   requested or from an account they own — the transfer machine's guard, checked here early too);
 * - `operator`: loads onto and closes any account, reads everything, the dead letters included.
 *
 * 401 `unauthenticated` without a caller, 403 with a stable code when the caller may not.
 */
import type { HttpResponseInit } from '@azure/functions';
import { mayDecide as approverMayDecide } from '../../domain/approvalPolicy';
import { accountStreamId } from '../../domain/ids';
import { domainError, type ReasonCode } from '../../domain/reasons';
import type { AccountView } from '../projections/accountView';
import {
  ACCOUNT_VIEW_ID,
  TRANSFER_VIEW_ID,
  accountPartition,
  transferPartition,
} from '../projections/layout';
import type { TransferView } from '../projections/transferView';
import { problem } from '../http/problem';
import type { RouteDeps } from '../http/route';
import { hasRole, type Caller, type Role } from './caller';

export type Verdict = HttpResponseInit | undefined;

/** A route's rule: the roles that may call it, and what else the caller must be to the resource. */
export interface Access<I> {
  /** `anyone`: no caller needed. */
  roles: readonly Role[] | 'anyone';
  check?: (deps: RouteDeps, caller: Caller, input: I) => Promise<Verdict>;
}

export const unauthenticated = (): HttpResponseInit =>
  problem(401, 'unauthenticated', 'Sign in first: this route needs an authenticated caller.');

const forbidden = (code: string, detail: string): HttpResponseInit => problem(403, code, detail);

/** A problem with a domain reason code, in the domain's own words. */
const refused = (status: number, code: ReasonCode, detail?: string): HttpResponseInit =>
  problem(status, code, domainError(code, detail).message);

/** The first half of `access`, judged before the request is read: is there a caller, with a role that may? */
export function authorizeRole(access: Pick<Access<unknown>, 'roles'>, caller: Caller | undefined): Verdict {
  if (access.roles === 'anyone') return undefined;
  if (!caller) return unauthenticated();
  if (!hasRole(caller, ...access.roles)) {
    return forbidden(
      'forbidden',
      `This needs the role ${access.roles.join(' or ')}; you have ${caller.roles.join(', ') || 'no role'}.`,
    );
  }
  return undefined;
}

/** The second half: what the caller must be to the resource the validated input names. */
export async function authorizeResource<I>(access: Access<I>, deps: RouteDeps, input: I): Promise<Verdict> {
  if (access.roles === 'anyone' || !access.check || !deps.caller) return undefined;
  return access.check(deps, deps.caller, input);
}

/**
 * The owner of an account: from its read model, or — when the view has not caught up with an
 * account just opened — from the first event of its stream, which is the source of truth.
 */
export async function accountOwner(deps: RouteDeps, accountId: string): Promise<string | undefined> {
  const view = await deps.stores.views.get<AccountView>(accountPartition(accountId), ACCOUNT_VIEW_ID);
  if (view) return view.ownerId;
  const [first] = await deps.stores.events.readStream(accountStreamId(accountId), 1);
  const data = first?.type === 'AccountOpened' ? (first.data as { ownerId?: unknown }) : undefined;
  return typeof data?.ownerId === 'string' ? data.ownerId : undefined;
}

/** Operators (when `operatorMay`) always; customers on accounts they own. */
export async function ownsAccount(
  deps: RouteDeps,
  caller: Caller,
  accountId: string,
  operatorMay = true,
): Promise<Verdict> {
  if (operatorMay && hasRole(caller, 'operator')) return undefined;
  const owner = await accountOwner(deps, accountId);
  if (owner === undefined) return problem(404, 'account_not_found', `There is no account ${accountId}.`);
  if (owner !== caller.id || !hasRole(caller, 'customer'))
    return forbidden('not_account_owner', `Account ${accountId} is not yours.`);
  return undefined;
}

/** Operators and approvers read any transfer; a customer those from or to an account they own. */
export async function readsTransfer(deps: RouteDeps, caller: Caller, transferId: string): Promise<Verdict> {
  if (hasRole(caller, 'operator', 'approver')) return undefined;
  const view = await deps.stores.views.get<TransferView>(transferPartition(transferId), TRANSFER_VIEW_ID);
  // Unknown and not-yours look alike to a customer, so ids cannot be probed.
  const notFound = problem(404, 'transfer_not_found', `There is no transfer ${transferId}.`);
  if (!view) return notFound;
  const owners = await Promise.all([
    accountOwner(deps, view.fromAccountId),
    accountOwner(deps, view.toAccountId),
  ]);
  return owners.includes(caller.id) || view.requestedBy === caller.id ? undefined : notFound;
}

/** The four-eyes rule at request time: the requester and the source account's owner may not decide. */
export async function mayDecide(deps: RouteDeps, caller: Caller, transferId: string): Promise<Verdict> {
  const view = await deps.stores.views.get<TransferView>(transferPartition(transferId), TRANSFER_VIEW_ID);
  if (!view) return undefined;
  // The transfer machine's own rule, with the owner the event store knows.
  const verdict = approverMayDecide({
    approver: caller.id,
    requestedBy: view.requestedBy,
    sourceOwnerId: await accountOwner(deps, view.fromAccountId),
  });
  return verdict.ok ? undefined : refused(403, verdict.reason, transferId);
}
