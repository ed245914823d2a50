import { AccountCommand } from '../commands';
import { AccountEvent } from '../events';
import { given as givenDecider } from '../test/givenWhenThen';
import { acceptsTransfers, accountDecider, balancesOf, evolve, initialState } from '.';

const given = (events: AccountEvent[]) => givenDecider(accountDecider, events);

const opened: AccountEvent = {
  type: 'AccountOpened',
  data: { accountId: 'acc-1', ownerId: 'alice', ownerName: 'Alice', kind: 'user' },
};
const loaded = (amount: number, fee: number, loadId = 'load-1'): AccountEvent => ({
  type: 'CreditsLoaded',
  data: { accountId: 'acc-1', loadId, amount, fee, net: amount - fee, loadedBy: 'otto' },
});
const reserved = (amount: number, transferId = 'tr-1'): AccountEvent => ({
  type: 'FundsReserved',
  data: { accountId: 'acc-1', transferId, amount },
});
const released = (amount: number, transferId = 'tr-1'): AccountEvent => ({
  type: 'FundsReleased',
  data: { accountId: 'acc-1', transferId, amount, reason: 'rejected_by_approver' },
});
const transferredOut = (amount: number, transferId = 'tr-1'): AccountEvent => ({
  type: 'FundsTransferredOut',
  data: { accountId: 'acc-1', transferId, amount, toAccountId: 'acc-2' },
});
const transferredIn = (amount: number, transferId = 'tr-9'): AccountEvent => ({
  type: 'FundsTransferredIn',
  data: { accountId: 'acc-1', transferId, amount, fromAccountId: 'acc-2' },
});
const closed: AccountEvent = { type: 'AccountClosed', data: { accountId: 'acc-1' } };

const open: AccountCommand = {
  type: 'OpenAccount',
  data: opened.data as Extract<AccountCommand, { type: 'OpenAccount' }>['data'],
};
const load = (amount: number, loadId = 'load-1'): AccountCommand => ({
  type: 'LoadCredits',
  data: { accountId: 'acc-1', loadId, amount, loadedBy: 'otto' },
});
const close: AccountCommand = { type: 'CloseAccount', data: { accountId: 'acc-1' } };
const reserve = (amount: number, transferId = 'tr-1'): AccountCommand => ({
  type: 'ReserveFunds',
  data: { accountId: 'acc-1', transferId, amount },
});
const release = (transferId = 'tr-1'): AccountCommand => ({
  type: 'ReleaseFunds',
  data: { accountId: 'acc-1', transferId, reason: 'rejected_by_approver' },
});
const transferOut = (transferId = 'tr-1', toAccountId = 'acc-2'): AccountCommand => ({
  type: 'TransferOut',
  data: { accountId: 'acc-1', transferId, toAccountId },
});
const transferIn = (amount: number, transferId = 'tr-9', fromAccountId = 'acc-2'): AccountCommand => ({
  type: 'TransferIn',
  data: { accountId: 'acc-1', transferId, amount, fromAccountId },
});

describe('opening an account', () => {
  it('opens a new account', () => given([]).when(open).then([opened]));
  it('does nothing when the same account is opened again', () => given([opened]).when(open).then([]));
  it('rejects reopening the id with different details', () =>
    given([opened])
      .when({ type: 'OpenAccount', data: { ...open.data, ownerName: 'Mallory' } } as AccountCommand)
      .thenRejects('account_exists'));
});

describe('loading credits', () => {
  it('credits the amount minus the load fee, recording who loaded', () =>
    given([opened])
      .when(load(10_000))
      .then([loaded(10_000, 2)]));
  it('charges no fee above 500.00', () =>
    given([opened])
      .when(load(50_001))
      .then([loaded(50_001, 0)]));
  it('does nothing when the same load is repeated', () =>
    given([opened, loaded(10_000, 2)])
      .when(load(10_000))
      .then([]));
  it('rejects a load id reused for another amount', () =>
    given([opened, loaded(10_000, 2)])
      .when(load(20_000))
      .thenRejects('id_conflict'));
  it('rejects loads to an unknown account', () => given([]).when(load(100)).thenRejects('account_not_found'));
  it('rejects loads to a closed account', () =>
    given([opened, closed]).when(load(100)).thenRejects('account_closed'));
  it('rejects an amount that is not whole cents', () =>
    given([opened]).when(load(1.5)).thenRejects('invalid_amount'));
});

describe('closing an account', () => {
  it('closes an empty account', () => given([opened]).when(close).then([closed]));
  it('closes an account whose credits all left', () =>
    given([opened, loaded(100, 0), reserved(100), transferredOut(100)])
      .when(close)
      .then([closed]));
  it('does nothing when closed again', () => given([opened, closed]).when(close).then([]));
  it('refuses while credits are available', () =>
    given([opened, loaded(100, 0)])
      .when(close)
      .thenRejects('account_not_empty'));
  it('refuses while credits are reserved, even with nothing available', () => {
    const state = [opened, loaded(100, 0), reserved(100)].reduce(evolve, initialState);
    expect(balancesOf(state)).toEqual({ available: 0, reserved: 100 });
    given([opened, loaded(100, 0), reserved(100)])
      .when(close)
      .thenRejects('account_not_empty');
  });
  it('rejects closing an unknown account', () => given([]).when(close).thenRejects('account_not_found'));
});

describe('taking part in a new transfer', () => {
  const stateOf = (events: AccountEvent[]) => events.reduce(evolve, initialState);
  it('accepts an open account', () =>
    expect(acceptsTransfers(stateOf([opened]), 'acc-1')).toEqual({ ok: true, events: [] }));
  it('refuses an unknown or a closed account', () => {
    expect(acceptsTransfers(initialState, 'acc-1')).toMatchObject({
      ok: false,
      error: { code: 'account_not_found' },
    });
    expect(acceptsTransfers(stateOf([opened, closed]), 'acc-1')).toMatchObject({
      ok: false,
      error: { code: 'account_closed' },
    });
  });
});

describe('reserving funds for a transfer', () => {
  const funded = [opened, loaded(10_000, 2)];
  it('reserves available credits', () =>
    given(funded)
      .when(reserve(9_998))
      .then([reserved(9_998)]));
  it('rejects more than is available', () =>
    given(funded).when(reserve(9_999)).thenRejects('insufficient_funds'));
  it('counts earlier reservations as unavailable', () =>
    given([...funded, reserved(5_000)])
      .when(reserve(5_000, 'tr-2'))
      .thenRejects('insufficient_funds'));
  it('does nothing when the same reservation is repeated', () =>
    given([...funded, reserved(500)])
      .when(reserve(500))
      .then([]));
  it('does nothing when a released reservation is requested again', () =>
    given([...funded, reserved(500), released(500)])
      .when(reserve(500))
      .then([]));
  it('rejects a transfer id reused for another amount', () =>
    given([...funded, reserved(500)])
      .when(reserve(600))
      .thenRejects('id_conflict'));
  it('rejects reserving on an unknown account', () =>
    given([]).when(reserve(1)).thenRejects('account_not_found'));
  it('rejects reserving on a closed account', () =>
    given([opened, closed]).when(reserve(1)).thenRejects('account_closed'));
  it('rejects an amount that is not whole cents', () =>
    given(funded).when(reserve(0)).thenRejects('invalid_amount'));
});

describe('releasing a reservation', () => {
  const withReservation = [opened, loaded(10_000, 2), reserved(500)];
  it('releases the reserved amount with the reason', () =>
    given(withReservation)
      .when(release())
      .then([released(500)]));
  it('does nothing when released twice', () =>
    given([...withReservation, released(500)])
      .when(release())
      .then([]));
  it('does nothing once the reservation was captured', () =>
    given([...withReservation, transferredOut(500)])
      .when(release())
      .then([]));
  it('rejects releasing a reservation that never existed', () =>
    given(withReservation).when(release('tr-2')).thenRejects('reservation_not_found'));
  it('rejects releasing on an unknown account', () =>
    given([]).when(release()).thenRejects('account_not_found'));
  it('returns the credits to available', () => {
    const state = [...withReservation, released(500)].reduce(evolve, initialState);
    expect(balancesOf(state)).toEqual({ available: 9_998, reserved: 0 });
  });
});

describe('transferring out', () => {
  const withReservation = [opened, loaded(10_000, 2), reserved(500)];
  it('captures the reservation', () =>
    given(withReservation)
      .when(transferOut())
      .then([transferredOut(500)]));
  it('does nothing when captured twice', () =>
    given([...withReservation, transferredOut(500)])
      .when(transferOut())
      .then([]));
  it('does nothing once the reservation was released', () =>
    given([...withReservation, released(500)])
      .when(transferOut())
      .then([]));
  it('rejects capturing without a reservation', () =>
    given(withReservation).when(transferOut('tr-2')).thenRejects('reservation_not_found'));
  it('rejects sending to itself', () =>
    given(withReservation).when(transferOut('tr-1', 'acc-1')).thenRejects('same_account'));
  it('takes the credits out of reserved, leaving available as it was', () => {
    const state = [...withReservation, transferredOut(500)].reduce(evolve, initialState);
    expect(balancesOf(state)).toEqual({ available: 9_498, reserved: 0 });
  });
});

describe('transferring in', () => {
  it('credits an incoming transfer', () =>
    given([opened])
      .when(transferIn(700))
      .then([transferredIn(700)]));
  it('does nothing when the same transfer arrives twice', () =>
    given([opened, transferredIn(700)])
      .when(transferIn(700))
      .then([]));
  it('rejects a transfer id reused with other details', () =>
    given([opened, transferredIn(700)])
      .when(transferIn(700, 'tr-9', 'acc-3'))
      .thenRejects('id_conflict'));
  it('rejects transfers into a closed account', () =>
    given([opened, closed]).when(transferIn(700)).thenRejects('account_closed'));
  it('rejects transfers into an unknown account', () =>
    given([]).when(transferIn(700)).thenRejects('account_not_found'));
  it('rejects transfers from the account to itself', () =>
    given([opened])
      .when(transferIn(700, 'tr-9', 'acc-1'))
      .thenRejects('same_account'));
  it('rejects an amount that is not whole cents', () =>
    given([opened]).when(transferIn(-5)).thenRejects('invalid_amount'));
});

describe('evolve', () => {
  it('ignores events that arrive before the account was opened', () => {
    expect(evolve(initialState, loaded(100, 0))).toBe(initialState);
    expect(balancesOf(initialState)).toEqual({ available: 0, reserved: 0 });
  });
});
