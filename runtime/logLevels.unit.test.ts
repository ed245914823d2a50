import { logLevelFilter, LogLevelError } from './logLevels';

describe('host.json logging.logLevel', () => {
  it('lets Information and above through by default, nothing of level none', () => {
    const allows = logLevelFilter(undefined);
    expect(allows('Function.api.User', 'information')).toBe(true);
    expect(allows('Function.api.User', 'debug')).toBe(false);
    expect(allows('Function.api.User', 'none')).toBe(false);
  });

  it('applies the longest matching category prefix, case-insensitively, then default', () => {
    const allows = logLevelFilter({
      logLevel: {
        default: 'Warning',
        Function: 'Error',
        'function.reconcile': 'Information',
        'Function.reconcile.User': 'Debug',
      },
    });
    expect(allows('Host.Results', 'information')).toBe(false);
    expect(allows('Host.Results', 'warning')).toBe(true);
    expect(allows('Function.api', 'warning')).toBe(false);
    expect(allows('Function.reconcile', 'information')).toBe(true);
    expect(allows('Function.reconcile.User', 'debug')).toBe(true);
    // A key is a prefix of whole segments: Function.reconcileTransfers is not Function.reconcile.
    expect(allows('Function.reconcileTransfers', 'information')).toBe(false);
  });

  it('refuses a level it does not know, naming the key and the levels', () => {
    expect(() => logLevelFilter({ logLevel: { default: 'Info' } })).toThrow(LogLevelError);
    expect(() => logLevelFilter({ logLevel: { 'Function.api': 'Loud' } })).toThrow(
      /logLevel\.Function\.api is "Loud"; use one of Trace, Debug, Information/,
    );
    expect(() => logLevelFilter({ logLevel: ['Warning'] })).toThrow(/must be an object/);
  });
});
