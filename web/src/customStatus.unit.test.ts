import { describeTransferStatus, summariseCustomStatus, transferProcessStatus } from './customStatus';
import { useReasonTexts } from './reasons';

beforeAll(() =>
  useReasonTexts({
    cancelled_by_operator: 'an operator cancelled it while it waited for approval',
    rejected_by_approver: 'an approver rejected it',
    approval_expired: 'the approval deadline passed before anyone decided',
  }),
);

const status = (state: string, more: Record<string, unknown> = {}) => ({
  state,
  outcome: null,
  reason: null,
  approvalReason: null,
  approver: null,
  reminderSent: false,
  deadline: null,
  ...more,
});

describe('summariseCustomStatus of the transfer process', () => {
  it.each([
    [status('reserving'), 'Reserving the funds'],
    [
      status('awaitingApproval', { approvalReason: 'amount', deadline: '2026-01-02T00:00:00.000Z' }),
      'Awaiting approval for its amount until 2026-01-02 00:00:00 UTC',
    ],
    [
      status('awaitingApproval', { approvalReason: 'velocity', reminderSent: true }),
      'Awaiting approval for the 24-hour outflow; reminder sent',
    ],
    [status('crediting', { approver: 'dave' }), 'Crediting the destination (approved by dave)'],
    [status('crediting'), 'Crediting the destination'],
    [status('releasing'), 'Releasing the reservation'],
    [status('completed', { outcome: 'completed', approver: 'dave' }), 'Completed (approved by dave)'],
    [
      status('rejected', { outcome: 'rejected', reason: 'rejected_by_approver', approver: 'erin' }),
      'Rejected by erin: an approver rejected it',
    ],
    [
      status('expired', { outcome: 'expired', reason: 'approval_expired' }),
      'Expired: the approval deadline passed before anyone decided',
    ],
    [
      status('failed', { outcome: 'failed', reason: 'cancelled_by_operator' }),
      'Failed: an operator cancelled it while it waited for approval',
    ],
    [status('somethingNew'), 'Something new'],
  ])('%j → %s', (value, words) => {
    expect(summariseCustomStatus(value)).toBe(words);
  });

  it('reads the status only when it has a state', () => {
    expect(transferProcessStatus({ outcome: 'completed' })).toBeUndefined();
    expect(transferProcessStatus('awaitingApproval')).toBeUndefined();
    expect(describeTransferStatus({ state: 'awaitingApproval' })).toBe('Awaiting approval');
  });
});

describe('summariseCustomStatus of other orchestrations', () => {
  it.each([
    [null, 'None'],
    ['', 'None'],
    ['awaitingDecision', 'Awaiting decision'],
    ['expired', 'Expired'],
    ['step 2 of 3', 'step 2 of 3'],
    [42, '42'],
    [{ progress: 3, lastStep: 'checkRequest' }, 'Progress: 3; Last step: Check request'],
    [{}, 'None'],
    [{ items: [1, 2] }, 'Items: [1,2]'],
  ])('%j → %s', (value, words) => {
    expect(summariseCustomStatus(value)).toBe(words);
  });

  it('keeps a long status to one line', () => {
    const long = summariseCustomStatus({ text: 'x '.repeat(300) });
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long.endsWith('…')).toBe(true);
  });
});
