import fc from 'fast-check';
import { clockSkew, formatInstant, timeLeft, utcInputToIso } from './time';

const at = (iso: string): number => Date.parse(iso);
const deadline = at('2026-01-02T00:00:00Z');

describe('timeLeft', () => {
  it.each([
    ['2026-01-01T00:00:00Z', '1 d 00 h'],
    ['2026-01-01T00:30:00Z', '23 h 30 min'],
    ['2026-01-01T23:00:00Z', '1 h 00 min'],
    ['2026-01-01T23:55:51Z', '4 min 09 s'],
    ['2026-01-01T23:59:48Z', '12 s'],
    ['2026-01-01T23:59:59.500Z', '0 s'],
  ])('at %s shows %s', (now, text) => {
    expect(timeLeft(deadline, at(now)).text).toBe(text);
  });

  it('is expired at and after the deadline', () => {
    expect(timeLeft(deadline, deadline)).toEqual({ ms: 0, expired: true, urgent: true, text: 'expired' });
    expect(timeLeft(deadline, deadline + 5000)).toMatchObject({ expired: true, ms: -5000 });
  });

  it('is urgent only in the last hour', () => {
    expect(timeLeft(deadline, at('2026-01-01T22:59:59Z')).urgent).toBe(false);
    expect(timeLeft(deadline, at('2026-01-01T23:00:01Z')).urgent).toBe(true);
  });

  it('treats an unreadable deadline as expired rather than showing NaN', () => {
    expect(timeLeft(Number.NaN, Date.now())).toMatchObject({ expired: true, text: 'expired' });
  });

  it('never increases as time passes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 * 86_400_000 }),
        fc.integer({ min: 0, max: 86_400_000 }),
        (before, step) => {
          const a = timeLeft(deadline, deadline - before);
          const b = timeLeft(deadline, deadline - before + step);
          expect(b.ms).toBeLessThanOrEqual(a.ms);
          if (a.expired) expect(b.expired).toBe(true);
        },
      ),
    );
  });
});

describe('formatInstant', () => {
  it('shows an instant in UTC to the second', () => {
    expect(formatInstant('2026-01-01T10:20:30.456Z')).toBe('2026-01-01 10:20:30 UTC');
    expect(formatInstant('2026-01-01T12:00:00+02:00')).toBe('2026-01-01 10:00:00 UTC');
  });

  it('leaves text that is not a date alone', () => {
    expect(formatInstant('soon')).toBe('soon');
  });
});

describe('clockSkew', () => {
  it('is the server clock minus the browser clock at receipt', () => {
    expect(clockSkew('2026-01-01T00:00:10Z', at('2026-01-01T00:00:00Z'))).toBe(10_000);
    expect(clockSkew('2025-12-31T23:00:00Z', at('2026-01-01T00:00:00Z'))).toBe(-3_600_000);
  });

  it('is zero without a usable server time', () => {
    expect(clockSkew(undefined, 1)).toBe(0);
    expect(clockSkew('not a time', 1)).toBe(0);
  });
});

describe('utcInputToIso', () => {
  it('reads a datetime-local value as UTC, whatever the zone of the machine', () => {
    expect(utcInputToIso('2026-01-01T10:00')).toBe('2026-01-01T10:00:00.000Z');
    expect(utcInputToIso('2025-12-31T23:00:05')).toBe('2025-12-31T23:00:05.000Z');
    expect(utcInputToIso('2025-12-31T23:00:05.5')).toBe('2025-12-31T23:00:05.500Z');
  });

  it('answers undefined for empty and impossible values', () => {
    expect(utcInputToIso('')).toBeUndefined();
    expect(utcInputToIso('garbage')).toBeUndefined();
    expect(utcInputToIso('2026-02-31T10:00')).toBeUndefined();
    expect(utcInputToIso('2026-01-01 10:00')).toBeUndefined();
  });

  it('round-trips with formatInstant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString();
        const shown = formatInstant(iso); // "YYYY-MM-DD HH:MM:SS UTC"
        expect(utcInputToIso(shown.slice(0, 19).replace(' ', 'T'))).toBe(iso);
      }),
    );
  });
});
