import fc from 'fast-check';
import { cloudEventProblem, parseCloudEventBatch } from './cloudEvents';

const BATCH = 'application/cloudevents-batch+json; charset=utf-8';
const valid = {
  specversion: '1.0',
  id: 'e-1',
  source: '/cardflow/account-ac-1',
  type: 'Cardflow.Account.AccountOpened',
};

describe('CloudEvents batch validation', () => {
  it('accepts any batch of events that carry the required attributes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.string({ minLength: 1 }),
            source: fc.string({ minLength: 1 }),
            type: fc.string({ minLength: 1 }),
            data: fc.jsonValue(),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        (events) => {
          const body = Buffer.from(JSON.stringify(events.map((e) => ({ specversion: '1.0', ...e }))));
          const verdict = parseCloudEventBatch(BATCH, body);
          expect(verdict.ok).toBe(true);
        },
      ),
    );
  });

  it.each([
    ['data and data_base64 together', { ...valid, data: 1, data_base64: 'AQ==' }],
    ['an upper-case extension name', { ...valid, traceParent: 'x' }],
    ['a non-string subject', { ...valid, subject: 7 }],
    ['a time without zone', { ...valid, time: '2026-01-01T00:00:00' }],
    ['an array instead of an object', [valid]],
  ])('refuses an event with %s', (_case, event) => {
    expect(cloudEventProblem(event, 'The event')).toBeDefined();
  });

  it('accepts the optional attributes in their right form', () => {
    expect(
      cloudEventProblem(
        {
          ...valid,
          time: '2026-01-01T00:00:00.123+02:00',
          subject: 's',
          datacontenttype: 'application/json',
          data: { a: 1 },
          streamversion: 3,
        },
        'e',
      ),
    ).toBeUndefined();
  });
});
