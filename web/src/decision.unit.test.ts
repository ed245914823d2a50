import type { CommandOutcome, TransferView } from './contracts';
import { reasonTexts } from '../../functions/http/problem';
import { useReasonTexts } from './reasons';
import { explainDecision } from './decision';

// The dashboard shows the app's own words, which it reads from GET /api/reasons at start.
beforeAll(() => useReasonTexts(reasonTexts()));

const command = (status: CommandOutcome['status'], reason?: string): CommandOutcome => ({
  commandId: 'cmd-1',
  type: 'DecideTransfer',
  status,
  ...(reason ? { reason } : {}),
});
const transfer = (status: string, reason?: string): TransferView => ({
  transferId: 't-1',
  fromAccountId: 'a-1',
  toAccountId: 'a-2',
  amount: 150000,
  status,
  ...(reason ? { reason } : {}),
});

describe('explainDecision', () => {
  it('reports an approval that completed the transfer', () => {
    expect(explainDecision('approve', command('succeeded'), true, transfer('completed'), true)).toEqual({
      kind: 'done',
      message: 'Transfer t-1 approved and completed.',
    });
  });

  it('reports a rejection with its reason in words', () => {
    expect(
      explainDecision(
        'reject',
        command('succeeded'),
        true,
        transfer('rejected', 'rejected_by_approver'),
        true,
      ),
    ).toEqual({
      kind: 'done',
      message: 'Transfer t-1 rejected: an approver rejected it.',
    });
  });

  it('says why a command was refused', () => {
    expect(explainDecision('approve', command('rejected', 'approval_expired'), true)).toEqual({
      kind: 'refused',
      message: 'The approval was refused: the approval deadline passed before anyone decided.',
    });
    expect(explainDecision('approve', command('rejected', 'approver_is_requester'), true).message).toBe(
      'The approval was refused: the person who requested a transfer may not approve or reject it.',
    );
    expect(explainDecision('reject', command('rejected', 'approver_is_source_owner'), true).message).toMatch(
      /owner of the source account may not/,
    );
  });

  it('says when a decision was recorded but the process ignored it', () => {
    const result = explainDecision(
      'approve',
      command('succeeded'),
      true,
      transfer('awaiting_approval'),
      false,
    );
    expect(result.kind).toBe('ignored');
    expect(result.message).toMatch(/still awaiting approval/);
  });

  it('says the decision arrived too late when the transfer expired', () => {
    expect(explainDecision('approve', command('succeeded'), true, transfer('expired'), true)).toEqual({
      kind: 'refused',
      message: 'Transfer t-1 expired before the decision arrived.',
    });
  });

  it('says when the command is still being processed', () => {
    expect(explainDecision('reject', command('pending'), false).kind).toBe('pending');
  });

  it('says a failed command was dead-lettered', () => {
    expect(explainDecision('approve', command('failed'), true).message).toMatch(
      /failed in the system; it has been dead-lettered/,
    );
  });
});
