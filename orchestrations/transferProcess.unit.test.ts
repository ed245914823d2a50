import { activityRetryOptions } from './transferProcess';
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
});
