import { activityRetryOptions, machineInput } from './transferProcess';
import { outflowWindowMode } from './outflowWindow';

describe('transferProcess settings', () => {
  it('retries activities after 1 s with backoff 2, at most 5 attempts', () => {
    const options = activityRetryOptions();
    expect(options).toMatchObject({
      firstRetryIntervalInMilliseconds: 1_000,
      backoffCoefficient: 2,
      maxNumberOfAttempts: 5,
    });
  });

  it('keeps the outflow window in the entity unless told to read it from the account stream', () => {
    expect(outflowWindowMode({})).toBe('entity');
    expect(outflowWindowMode({ CARDFLOW_OUTFLOW_WINDOW: 'stream' })).toBe('stream');
    expect(() => outflowWindowMode({ CARDFLOW_OUTFLOW_WINDOW: 'redis' })).toThrow(/'entity' or 'stream'/);
  });

  it('starts the machine with the transfer and the policy captured at request time', () => {
    expect(
      machineInput({
        transferId: 'tr-1',
        fromAccountId: 'acc-a',
        toAccountId: 'acc-b',
        amount: 5_000,
        requestedBy: 'ann',
        requestedAt: '2026-01-01T00:00:00.000Z',
        policy: { approvalThreshold: 100_000, velocityThreshold: 250_000, approvalTimeout: 'PT90M' },
        correlationId: 'corr',
        causationId: 'cause',
      }),
    ).toEqual({
      transferId: 'tr-1',
      fromAccountId: 'acc-a',
      toAccountId: 'acc-b',
      amount: 5_000,
      requestedBy: 'ann',
      approvalThreshold: 100_000,
      velocityThreshold: 250_000,
      approvalTimeoutMs: 90 * 60_000,
    });
  });
});
