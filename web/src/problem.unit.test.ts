import { parseProblem } from './problem';
import { reasonTexts } from '../../functions/http/problem';
import { describeProblem, describeReason, useReasonTexts } from './reasons';

// The dashboard shows the app's own words, which it reads from GET /api/reasons at start.
beforeAll(() => useReasonTexts(reasonTexts()));

describe('parseProblem', () => {
  it('reads an RFC 9457 body with its stable code and field issues', () => {
    const body = JSON.stringify({
      type: 'https://cardflow.dev/problems/invalid_request',
      title: 'Bad Request',
      status: 400,
      code: 'invalid_request',
      detail: 'The request body is not valid.',
      errors: [{ path: 'approver', message: 'Too short', code: 'too_small' }, { bogus: true }],
    });
    expect(parseProblem(400, 'Bad Request', 'application/problem+json', body)).toEqual({
      status: 400,
      title: 'Bad Request',
      detail: 'The request body is not valid.',
      code: 'invalid_request',
      type: 'https://cardflow.dev/problems/invalid_request',
      errors: [{ path: 'approver', message: 'Too short', code: 'too_small' }],
    });
  });

  it('takes the Durable API message fields when there is no detail', () => {
    expect(
      parseProblem(
        410,
        'Gone',
        'application/json; charset=utf-8',
        '{"Message":"The instance has completed."}',
      ),
    ).toEqual({
      status: 410,
      title: 'Gone',
      detail: 'The instance has completed.',
    });
  });

  it('shows a plain-text body as the detail, cut to a readable length', () => {
    const parsed = parseProblem(404, 'Not Found', 'text/plain', `No such instance ${'x'.repeat(1000)}`);
    expect(parsed.title).toBe('Not Found');
    expect(parsed.detail?.startsWith('No such instance')).toBe(true);
    expect(parsed.detail?.length).toBe(500);
  });

  it('never throws on a broken JSON body and falls back to the status', () => {
    expect(parseProblem(500, '', 'application/json', '{"oops"')).toEqual({
      status: 500,
      title: 'HTTP 500',
      detail: '{"oops"',
    });
    expect(parseProblem(502, 'Bad Gateway', null, '')).toEqual({ status: 502, title: 'Bad Gateway' });
  });
});

describe('describeProblem', () => {
  it('says a refused decision in words, with the code explained', () => {
    const text = describeProblem({
      status: 409,
      title: 'Conflict',
      code: 'not_awaiting_approval',
      detail: 'Transfer t-1 is completed.',
    });
    expect(text).toBe(
      'Conflict (409): the transfer is no longer waiting for approval (it was already decided, expired or finished): Transfer t-1 is completed.',
    );
  });

  it('lists field issues', () => {
    const text = describeProblem({
      status: 400,
      title: 'Bad Request',
      errors: [
        { path: 'approver', message: 'Required' },
        { path: '', message: 'Body missing' },
      ],
    });
    expect(text).toBe('Bad Request (400) — approver: Required; Body missing.');
  });

  it('shows an unknown code instead of hiding it', () => {
    expect(describeReason('quota_exceeded')).toBe('quota exceeded');
    expect(describeReason('approval_expired')).toBe('the approval deadline passed before anyone decided');
  });
});
