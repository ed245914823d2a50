import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { CloudEventRecord } from './cloudEvents';
import { loadSubscriptions, matches, parseSubscriptions, SubscriptionConfigError } from './subscriptions';

const event = (type: string, subject?: string): CloudEventRecord => ({
  specversion: '1.0',
  id: 'e',
  source: '/s',
  type,
  subject,
});

describe('eventgrid.local.json', () => {
  it('fills Event Grid defaults', () => {
    const [s] = parseSubscriptions({ subscriptions: [{ name: 'audit', functionName: 'auditLog' }] });
    expect(s).toEqual({
      name: 'audit',
      functionName: 'auditLog',
      isSubjectCaseSensitive: false,
      retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
      deadLetter: true,
    });
  });

  it.each([
    [
      'both endpoint and functionName',
      { name: 'abc', endpoint: 'http://x/y', functionName: 'f' },
      /exactly one/,
    ],
    ['neither endpoint nor functionName', { name: 'abc' }, /exactly one/],
    ['a non-http endpoint', { name: 'abc', endpoint: 'ftp://x/y' }, /endpoint/],
    [
      'too many attempts',
      { name: 'abc', functionName: 'f', retryPolicy: { maxDeliveryAttempts: 31 } },
      /maxDeliveryAttempts/,
    ],
    [
      'a time to live over a day',
      { name: 'abc', functionName: 'f', retryPolicy: { eventTimeToLiveInMinutes: 1441 } },
      /eventTimeToLiveInMinutes/,
    ],
    ['an unknown field', { name: 'abc', functionName: 'f', filter: {} }, /filter|Unrecognized/],
    ['a bad name', { name: 'a b', functionName: 'f' }, /name/],
  ])('refuses a subscription with %s, naming the problem', (_case, subscription, problem) => {
    expect(() => parseSubscriptions({ subscriptions: [subscription] })).toThrow(SubscriptionConfigError);
    expect(() => parseSubscriptions({ subscriptions: [subscription] })).toThrow(problem);
  });

  it('refuses duplicate names', () => {
    expect(() =>
      parseSubscriptions({
        subscriptions: [
          { name: 'abc', functionName: 'f' },
          { name: 'ABC', functionName: 'g' },
        ],
      }),
    ).toThrow(/unique/);
  });

  it('reads the file; a missing file is no subscriptions; broken JSON is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eg-subs-'));
    try {
      expect(loadSubscriptions(join(dir, 'missing.json'))).toEqual([]);
      writeFileSync(join(dir, 'bad.json'), '{');
      expect(() => loadSubscriptions(join(dir, 'bad.json'))).toThrow(/not valid JSON/);
      writeFileSync(
        join(dir, 'ok.json'),
        JSON.stringify({ subscriptions: [{ name: 'hook', endpoint: 'http://127.0.0.1:9/x' }] }),
      );
      expect(loadSubscriptions(join(dir, 'ok.json')).map((s) => s.name)).toEqual(['hook']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads the sample file at the repository root', () => {
    const subscriptions = loadSubscriptions(join(__dirname, '..', '..', 'eventgrid.local.example.json'));
    expect(subscriptions.length).toBeGreaterThan(0);
  });
});

describe('subscription filters', () => {
  const [all] = parseSubscriptions({ subscriptions: [{ name: 'all', functionName: 'f' }] });

  it('without filters, takes every event of every topic', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.option(fc.string()),
        fc.string({ minLength: 1 }),
        (type, subject, topic) => {
          expect(matches(all, topic, event(type, subject ?? undefined))).toBe(true);
        },
      ),
    );
  });

  it('takes exactly the included event types, ignoring case', () => {
    const [s] = parseSubscriptions({
      subscriptions: [
        { name: 'types', functionName: 'f', includedEventTypes: ['Cardflow.Transfer.TransferApproved'] },
      ],
    });
    expect(matches(s, 't', event('Cardflow.Transfer.TransferApproved'))).toBe(true);
    expect(matches(s, 't', event('cardflow.transfer.transferapproved'))).toBe(true);
    expect(matches(s, 't', event('Cardflow.Transfer.TransferApprovedX'))).toBe(false);
  });

  it('matches subject prefix and suffix exactly as startsWith/endsWith, case-insensitively by default', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.string(),
        fc.boolean(),
        (subject, prefix, suffix, caseSensitive) => {
          const [s] = parseSubscriptions({
            subscriptions: [
              {
                name: 'subj',
                functionName: 'f',
                subjectBeginsWith: prefix,
                subjectEndsWith: suffix,
                isSubjectCaseSensitive: caseSensitive,
              },
            ],
          });
          const fold = (x: string): string => (caseSensitive ? x : x.toLowerCase());
          const expected = fold(subject).startsWith(fold(prefix)) && fold(subject).endsWith(fold(suffix));
          expect(matches(s, 't', event('x', subject))).toBe(expected);
        },
      ),
    );
  });

  it('takes events of its own topic only, when it names one', () => {
    const [s] = parseSubscriptions({
      subscriptions: [{ name: 'scoped', functionName: 'f', topic: 'cardflow' }],
    });
    expect(matches(s, 'cardflow', event('x'))).toBe(true);
    expect(matches(s, 'Cardflow', event('x'))).toBe(true);
    expect(matches(s, 'other', event('x'))).toBe(false);
  });
});
