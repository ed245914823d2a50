import type { InstanceStatus } from './contracts';
import { useReasonTexts } from './reasons';
import {
  approvalDecisionProblem,
  cancelOffer,
  decisionTemplate,
  judgeRaisedDecision,
  receivedEvents,
  transferOf,
} from './transferInstance';

beforeAll(() =>
  useReasonTexts({
    approver_is_requester: 'the person who requested a transfer may not approve or reject it',
    approver_is_source_owner: 'the owner of the source account may not approve or reject its transfers',
  }),
);

const raised = { EventType: 'EventRaised', Name: 'ApprovalDecision', Timestamp: '2026-01-01T00:01:00Z' };

function instance(state: string | undefined, more: Partial<InstanceStatus> = {}): InstanceStatus {
  return {
    name: 'transferProcess',
    instanceId: 't-1',
    runtimeStatus: 'Running',
    input: { transferId: 't-1', fromAccountId: 'acc-a', requestedBy: 'alice' },
    customStatus: state ? { state, approver: null, approvalReason: 'amount', deadline: null } : null,
    output: null,
    createdTime: '2026-01-01T00:00:00Z',
    lastUpdatedTime: '2026-01-01T00:00:00Z',
    historyEvents: [{ EventType: 'ExecutionStarted', Timestamp: '2026-01-01T00:00:00Z' }],
    ...more,
  };
}

const after = (state: string, approver: string | null = null, extra: Partial<InstanceStatus> = {}) =>
  instance(state, {
    customStatus: { state, approver },
    historyEvents: [{ EventType: 'ExecutionStarted' }, raised],
    ...extra,
  });

describe('transferOf', () => {
  it("reads a transfer's process, and nothing else", () => {
    expect(transferOf(instance('reserving'))).toEqual({
      transferId: 't-1',
      requestedBy: 'alice',
      fromAccountId: 'acc-a',
    });
    expect(transferOf(instance('reserving', { name: 'ReviewProcess' }))).toBeUndefined();
    expect(transferOf(instance('reserving', { instanceId: 't-2' }))).toBeUndefined();
    expect(transferOf(instance('reserving', { input: 't-1' }))).toBeUndefined();
  });
});

describe('cancelOffer', () => {
  it('offers the cancel in every state before the destination is credited while its process runs', () => {
    for (const state of ['reserving', 'awaitingApproval', 'crediting'])
      expect(cancelOffer(instance(state))).toEqual({ offered: true });
    expect(cancelOffer(instance('awaitingApproval', { runtimeStatus: 'Suspended' }))).toEqual({
      offered: true,
    });
    expect(cancelOffer(instance('releasing'))).toEqual({
      offered: false,
      why: 'A transfer can be cancelled only until its destination is credited; this one is releasing.',
    });
    const ended = cancelOffer(instance('awaitingApproval', { runtimeStatus: 'Terminated' }));
    expect(ended.offered).toBe(false);
    expect(!ended.offered && ended.why).toMatch(/^The process has ended .*reconciler/);
  });
});

describe('the ApprovalDecision event', () => {
  it('has a valid template', () => {
    expect(approvalDecisionProblem(JSON.parse(decisionTemplate('olga')))).toBeUndefined();
    expect(JSON.parse(decisionTemplate('olga'))).toMatchObject({ decision: 'approve', approver: 'olga' });
  });

  it.each([
    [[], 'it should be an object {decision, approver, note?}'],
    [{ decision: 'approve', approver: 'olga', by: 'x' }, 'it has fields the process does not take: by'],
    [{ decision: 'yes', approver: 'olga' }, '"decision" should be "approve" or "reject"'],
    [{ decision: 'reject', approver: '' }, expect.stringMatching(/^"approver" should be a user id/)],
    [{ decision: 'reject', approver: 'olga', note: 5 }, '"note" should be text of at most 500 characters'],
  ])('says why %j is malformed', (value, problem) => {
    expect(approvalDecisionProblem(value)).toEqual(problem);
  });

  it('counts the decisions the history received', () => {
    expect(receivedEvents(after('crediting'), 'ApprovalDecision')).toBe(1);
    expect(receivedEvents(instance('awaitingApproval'), 'ApprovalDecision')).toBe(0);
    expect(
      receivedEvents(
        instance('x', { historyEvents: [{ EventType: 15, Name: 'ApprovalDecision' }] }),
        'ApprovalDecision',
      ),
    ).toBe(1);
  });
});

describe('judgeRaisedDecision', () => {
  const before = instance('awaitingApproval');
  const approve = { decision: 'approve', approver: 'dave' };

  it('is accepted when the machine moved on for this approver', () => {
    expect(judgeRaisedDecision({ before, after: after('crediting', 'dave'), body: approve })).toEqual({
      kind: 'accepted',
      final: true,
      message:
        'The process accepted the approval by dave. Now: Crediting the destination (approved by dave).',
    });
    expect(
      judgeRaisedDecision({
        before,
        after: after('releasing', 'dave'),
        body: { decision: 'reject', approver: 'dave' },
      }).message,
    ).toBe('The process accepted the rejection by dave. Now: Releasing the reservation.');
  });

  it('is not known yet while the process has not read the event', () => {
    expect(judgeRaisedDecision({ before, after: before, body: approve })).toMatchObject({
      kind: 'unread',
      final: false,
    });
    expect(
      judgeRaisedDecision({
        before,
        after: instance('awaitingApproval', { runtimeStatus: 'Suspended' }),
        body: approve,
      }),
    ).toMatchObject({
      kind: 'unread',
      final: true,
      message: expect.stringMatching(/suspended and reads it when it is resumed/),
    });
  });

  it('says why the four-eyes rule ignored it', () => {
    expect(
      judgeRaisedDecision({
        before,
        after: after('awaitingApproval'),
        body: { decision: 'approve', approver: 'alice' },
      }),
    ).toEqual({
      kind: 'ignored',
      final: true,
      message:
        'The process ignored the decision by alice: the person who requested a transfer may not approve or reject it. It still awaits approval.',
    });
    expect(
      judgeRaisedDecision({
        before,
        after: after('awaitingApproval'),
        body: { decision: 'approve', approver: 'bob' },
        sourceOwnerId: 'bob',
      }).message,
    ).toMatch(/owner of the source account may not approve/);
    expect(judgeRaisedDecision({ before, after: after('awaitingApproval'), body: approve }).message).toMatch(
      /the transfer machine refused it/,
    );
  });

  it('says a malformed decision was ignored, and why', () => {
    expect(
      judgeRaisedDecision({
        before,
        after: after('awaitingApproval'),
        body: { decision: 'approve', approver: '' },
      }),
    ).toMatchObject({ kind: 'ignored', message: expect.stringMatching(/malformed \("approver" should be/) });
  });

  it('says the process was not waiting for a decision', () => {
    expect(
      judgeRaisedDecision({ before: instance('crediting'), after: after('crediting', 'erin'), body: approve })
        .message,
    ).toBe(
      'The process ignored the decision: it was not waiting for one (crediting the destination). Now: Crediting the destination (approved by erin).',
    );
    expect(
      judgeRaisedDecision({ before: instance('reserving'), after: after('reserving'), body: approve }),
    ).toMatchObject({ kind: 'kept', final: true });
  });

  it('says when something else moved the process first', () => {
    expect(judgeRaisedDecision({ before, after: after('releasing', null), body: approve })).toMatchObject({
      kind: 'ignored',
      message: 'The process moved on without this decision. Now: Releasing the reservation.',
    });
  });

  it('says when the process ended without reading it', () => {
    expect(
      judgeRaisedDecision({
        before,
        after: instance('awaitingApproval', { runtimeStatus: 'Terminated' }),
        body: approve,
      }),
    ).toMatchObject({ kind: 'ignored', final: true });
  });
});
