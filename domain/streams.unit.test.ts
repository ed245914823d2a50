import { initialState as initialAccountState } from './account';
import { commandTarget } from './streams';
import { initialTransferState } from './transfer';

describe('the stream each command acts on', () => {
  it('sends account commands, the process manager’s included, to the account stream and its decider', () => {
    const close = commandTarget({ type: 'CloseAccount', data: { accountId: 'acc-1' } });
    expect(close.streamId).toBe('account-acc-1');
    expect(close.accounts).toBeUndefined();
    expect(close.decide(initialAccountState as never, {})).toMatchObject({
      ok: false,
      error: { code: 'account_not_found' },
    });
    const reserve = commandTarget({
      type: 'ReserveFunds',
      data: { accountId: 'acc-2', transferId: 'tr-1', amount: 5 },
    });
    expect(reserve.streamId).toBe('account-acc-2');
  });

  it('sends transfer commands to the transfer stream, reading the accounts they name', () => {
    const request = commandTarget({
      type: 'RequestTransfer',
      data: {
        transferId: 'tr-1',
        fromAccountId: 'acc-a',
        toAccountId: 'acc-b',
        amount: 5,
        requestedBy: 'al',
      },
    });
    expect(request.streamId).toBe('transfer-tr-1');
    expect(request.accounts?.(initialTransferState as never)).toEqual(['acc-a', 'acc-b']);
    expect(request.decide(initialTransferState as never, {})).toMatchObject({
      ok: false,
      error: { code: 'account_not_found' },
    });
  });
});
