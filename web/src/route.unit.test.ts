import { parseJsonInput } from './jsonInput';
import { parseRoute, readSettings } from './route';

describe('parseRoute', () => {
  it('reads the view and its parameters from the hash', () => {
    expect(parseRoute('#lookup?transfer=t-1')).toEqual({ view: 'lookup', params: { transfer: 't-1' } });
    expect(parseRoute('#monitor')).toEqual({ view: 'monitor', params: {} });
  });

  it('sends unknown and empty hashes to the inbox', () => {
    expect(parseRoute('')).toEqual({ view: 'inbox', params: {} });
    expect(parseRoute('#admin?x=1')).toEqual({ view: 'inbox', params: { x: '1' } });
  });

  it('sends a view not offered to the first one offered', () => {
    expect(parseRoute('#inbox', ['lookup'])).toEqual({ view: 'lookup', params: {} });
    expect(parseRoute('#monitor?instance=t-1', ['inbox', 'lookup'])).toEqual({
      view: 'inbox',
      params: { instance: 't-1' },
    });
    expect(parseRoute('#lookup?account=acc-a', ['lookup'])).toEqual({
      view: 'lookup',
      params: { account: 'acc-a' },
    });
  });
});

describe('readSettings', () => {
  it('reads the poll interval with a floor and passes the Durable API key on', () => {
    expect(readSettings('?pollMs=500&code=abc')).toEqual({ pollMs: 500, durableQuery: { code: 'abc' } });
    expect(readSettings('?pollMs=10')).toEqual({ pollMs: 3000, durableQuery: {} });
    expect(readSettings('')).toEqual({ pollMs: 3000, durableQuery: {} });
  });
});

describe('parseJsonInput', () => {
  it('reads JSON, treats empty as null and explains a syntax error', () => {
    expect(parseJsonInput(' {"decision":"approve"} ')).toEqual({ ok: true, value: { decision: 'approve' } });
    expect(parseJsonInput('   ')).toEqual({ ok: true, value: null });
    const bad = parseJsonInput('{decision: approve}');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toMatch(/^The event data is not valid JSON: /);
  });
});
