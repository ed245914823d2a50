/**
 * The account read model and statement: pure functions from account events to documents.
 * `available` and `reserved` follow docs/architecture.md, domain; a statement entry records each movement of
 * credits with the available balance after it.
 */
import type { AccountEvent } from '../../domain/events';
import type { AccountResponse, StatementEntryResponse, StatementEntryType } from '../http/schemas';
import { ACCOUNT_VIEW_ID, accountPartition, statementEntryId } from './layout';

export type { StatementEntryType };

/** The account document: what GET /api/accounts/{id} answers (`version` is the stream's), plus where it lives. */
export interface AccountView extends AccountResponse {
  id: typeof ACCOUNT_VIEW_ID;
  pk: string;
  view: 'account';
  openedAt: string;
}

/**
 * A statement entry: what the statement lists (`amount` gross for a load, `fee` withheld from it,
 * `balanceAfter` the available credits after it), plus its account and stream version.
 */
export interface StatementEntry extends StatementEntryResponse {
  id: string;
  pk: string;
  view: 'statement';
  accountId: string;
  version: number;
}

export interface ProjectedAccountEvent {
  event: AccountEvent;
  version: number;
  occurredAt: string;
}

/**
 * Applies one account event to the view. Returns the new view (undefined before the account was
 * opened) and the statement entry the event adds, if it moved credits.
 *
 * @example
 * const { view } = projectAccount(undefined, { event: opened, version: 1, occurredAt });
 * projectAccount(view, { event: loaded10000, version: 2, occurredAt }).view?.available // 9998
 */
export function projectAccount(
  view: AccountView | undefined,
  { event, version, occurredAt }: ProjectedAccountEvent,
): { view: AccountView | undefined; entry?: StatementEntry } {
  if (event.type === 'AccountOpened') {
    const { accountId, ownerId, ownerName, kind } = event.data;
    return {
      view: {
        id: ACCOUNT_VIEW_ID,
        pk: accountPartition(accountId),
        view: 'account',
        accountId,
        ownerId,
        ownerName,
        kind,
        status: 'open',
        available: 0,
        reserved: 0,
        version,
        openedAt: occurredAt,
      },
    };
  }
  if (!view) return { view };
  const next = { ...view, version };
  const entry = (
    type: StatementEntryType,
    amount: number,
    extra: Partial<Pick<StatementEntry, 'fee' | 'transferId'>> = {},
  ): StatementEntry => ({
    id: statementEntryId(version),
    pk: view.pk,
    view: 'statement',
    accountId: view.accountId,
    version,
    at: occurredAt,
    type,
    amount,
    ...extra,
    balanceAfter: next.available,
  });
  switch (event.type) {
    case 'CreditsLoaded':
      next.available += event.data.net;
      return { view: next, entry: entry('CreditsLoaded', event.data.amount, { fee: event.data.fee }) };
    case 'FundsReserved':
      next.available -= event.data.amount;
      next.reserved += event.data.amount;
      return {
        view: next,
        entry: entry('FundsReserved', event.data.amount, { transferId: event.data.transferId }),
      };
    case 'FundsReleased':
      next.available += event.data.amount;
      next.reserved -= event.data.amount;
      return {
        view: next,
        entry: entry('FundsReleased', event.data.amount, { transferId: event.data.transferId }),
      };
    case 'FundsTransferredOut':
      next.reserved -= event.data.amount;
      return {
        view: next,
        entry: entry('FundsTransferredOut', event.data.amount, { transferId: event.data.transferId }),
      };
    case 'FundsTransferredIn':
      next.available += event.data.amount;
      return {
        view: next,
        entry: entry('FundsTransferredIn', event.data.amount, { transferId: event.data.transferId }),
      };
    case 'AccountClosed':
      next.status = 'closed';
      return { view: next };
    default:
      // An account event this read model does not show still moves its version with the stream.
      return { view: next };
  }
}

/** The account as GET /api/accounts/{id} shows it. */
export function accountResponse(view: AccountView): AccountResponse {
  const { accountId, ownerId, ownerName, kind, status, available, reserved, version } = view;
  return { accountId, ownerId, ownerName, kind, status, available, reserved, version };
}

/** A statement entry as GET /api/accounts/{id}/statement shows it. */
export function statementEntryResponse(entry: StatementEntry): StatementEntryResponse {
  const { at, type, amount, fee, transferId, balanceAfter } = entry;
  return {
    at,
    type,
    amount,
    fee,
    transferId,
    balanceAfter,
  };
}
