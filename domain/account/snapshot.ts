/**
 * The account's state as snapshot JSON (`account-state/1`): scalars as they are, each id map as a
 * list of tuples. `decode` checks the shape and the account's own invariant (`reserved` is the sum
 * of the open reservations), so a damaged snapshot is refused and the stream is replayed instead.
 */
import { z } from 'zod';
import { AccountKindSchema } from '../commands';
import { SnapshotFormat } from '../decider';
import { idMapEntries, idMapFrom } from '../idMap';
import type { AccountState, IncomingTransfer, OpenedAccount, Reservation } from './state';

/** Bump with any change to `AccountState` or to what `evolve` makes of an event. */
export const ACCOUNT_SNAPSHOT_FORMAT = 'account-state/1';

const cents = z.number().int().nonnegative();

const OpenedAccountJsonSchema = z.object({
  status: z.enum(['open', 'closed']),
  accountId: z.string(),
  ownerId: z.string(),
  ownerName: z.string(),
  kind: AccountKindSchema,
  available: cents,
  reserved: cents,
  loads: z.array(z.tuple([z.string(), cents])),
  reservations: z.array(z.tuple([z.string(), cents, z.enum(['open', 'released', 'captured'])])),
  transfersIn: z.array(z.tuple([z.string(), cents, z.string()])),
});

const AccountStateJsonSchema = z.union([z.object({ status: z.literal('none') }), OpenedAccountJsonSchema]);

type OpenedAccountJson = z.infer<typeof OpenedAccountJsonSchema>;

function encode(state: AccountState): unknown {
  if (state.status === 'none') return { status: 'none' };
  const json: OpenedAccountJson = {
    status: state.status,
    accountId: state.accountId,
    ownerId: state.ownerId,
    ownerName: state.ownerName,
    kind: state.kind,
    available: state.available,
    reserved: state.reserved,
    loads: [...idMapEntries(state.loads)].map(([id, amount]) => [id, amount]),
    reservations: [...idMapEntries(state.reservations)].map(([id, r]) => [id, r.amount, r.status]),
    transfersIn: [...idMapEntries(state.transfersIn)].map(([id, t]) => [id, t.amount, t.fromAccountId]),
  };
  return json;
}

function decode(json: unknown): AccountState | undefined {
  const parsed = AccountStateJsonSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const value = parsed.data;
  if (value.status === 'none') return { status: 'none' };
  const openReserved = value.reservations.reduce(
    (sum, [, amount, status]) => sum + (status === 'open' ? amount : 0),
    0,
  );
  if (openReserved !== value.reserved) return undefined;
  const state: OpenedAccount = {
    ...value,
    loads: idMapFrom(value.loads),
    reservations: idMapFrom(
      value.reservations.map(([id, amount, status]): [string, Reservation] => [id, { amount, status }]),
    ),
    transfersIn: idMapFrom(
      value.transfersIn.map(([id, amount, fromAccountId]): [string, IncomingTransfer] => [
        id,
        { amount, fromAccountId },
      ]),
    ),
  };
  return state;
}

export const accountSnapshot: SnapshotFormat<AccountState> = {
  format: ACCOUNT_SNAPSHOT_FORMAT,
  encode,
  decode,
};
