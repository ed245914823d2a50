import { AzureKeyCredential, generateSharedAccessSignature } from '@azure/eventgrid';
import fc from 'fast-check';
import { createSasToken, formatServiceTime, matchesKey, parseServiceTime, verifySasToken } from './sas';

const KEY = 'dGVzdC10b3BpYy1rZXk=';
const ENDPOINT = 'http://127.0.0.1:7071/runtime/eventgrid/topics/cardflow/api/events';
const PATH = '/runtime/eventgrid/topics/cardflow/api/events';
const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('SAS tokens', () => {
  it('verifies a token made by the SDK, until it expires', async () => {
    const expiresOn = new Date(NOW + 60_000);
    const token = await generateSharedAccessSignature(ENDPOINT, new AzureKeyCredential(KEY), expiresOn);
    expect(verifySasToken(token, { keys: [KEY], requestPath: PATH, now: NOW })).toEqual({ ok: true });
    expect(verifySasToken(token, { keys: ['b3RoZXI=', KEY], requestPath: PATH, now: NOW })).toEqual({
      ok: true,
    });
    expect(verifySasToken(token, { keys: [KEY], requestPath: PATH, now: NOW + 60_000 })).toMatchObject({
      ok: false,
    });
  });

  it('builds the same token as the SDK', async () => {
    const expiresOn = new Date(NOW + 3_723_000);
    expect(createSasToken(ENDPOINT, KEY, expiresOn.getTime())).toBe(
      await generateSharedAccessSignature(ENDPOINT, new AzureKeyCredential(KEY), expiresOn),
    );
  });

  it('refuses tampered, foreign, misdirected and malformed tokens', () => {
    const token = createSasToken(ENDPOINT, KEY, NOW + 60_000);
    const later = createSasToken(ENDPOINT, KEY, NOW + 120_000);
    const swappedExpiry = token.replace(/&e=[^&]*/, later.match(/&e=[^&]*/)![0]);
    const check = (t: string, path = PATH): boolean =>
      verifySasToken(t, { keys: [KEY], requestPath: path, now: NOW }).ok;
    expect(check(swappedExpiry)).toBe(false);
    expect(check(createSasToken(ENDPOINT, 'b3RoZXI=', NOW + 60_000))).toBe(false);
    expect(check(token, '/runtime/eventgrid/topics/other/api/events')).toBe(false);
    expect(check('r=abc')).toBe(false);
    expect(check('r=%E0%A4%A&e=x&s=y')).toBe(false);
    expect(check(`SharedAccessSignature ${token}`)).toBe(true);
  });

  it('reads back every time the SDK format writes, to the second', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2000-01-01'), max: Date.parse('2099-12-31') }), (ms) => {
        const seconds = Math.floor(ms / 1000) * 1000;
        expect(parseServiceTime(formatServiceTime(seconds))).toBe(seconds);
      }),
    );
  });

  it('rejects impossible times', () => {
    expect(parseServiceTime('2/31/2026 1:00:00 PM')).toBeUndefined();
    expect(parseServiceTime('1/1/2026 13:00:00 PM')).toBeUndefined();
    expect(parseServiceTime('2026-01-01T00:00:00Z')).toBeUndefined();
    expect(parseServiceTime('1/1/2026 12:00:00 AM')).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(parseServiceTime('1/1/2026 12:30:00 PM')).toBe(Date.parse('2026-01-01T12:30:00Z'));
  });

  it('matches keys exactly', () => {
    expect(matchesKey(KEY, ['x', KEY])).toBe(true);
    expect(matchesKey(`${KEY} `, [KEY])).toBe(false);
    expect(matchesKey('', [KEY])).toBe(false);
  });
});
