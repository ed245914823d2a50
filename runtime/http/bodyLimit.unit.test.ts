import { MemoryLogger } from '../logger';
import {
  DEFAULT_REQUEST_BODY_LIMIT,
  describeBytes,
  hostLimitApplies,
  requestBodyLimitFrom,
} from './bodyLimit';

describe('requestBodyLimitFrom', () => {
  test("is Azure's 104857600 bytes when the setting is absent or blank", () => {
    expect(DEFAULT_REQUEST_BODY_LIMIT).toBe(104_857_600);
    expect(requestBodyLimitFrom({})).toBe(104_857_600);
    expect(requestBodyLimitFrom({ FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: ' ' })).toBe(104_857_600);
  });

  test('reads a whole number of bytes, as long.TryParse does (spaces, a plus sign, zero)', () => {
    expect(requestBodyLimitFrom({ FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '1048576' })).toBe(1_048_576);
    expect(requestBodyLimitFrom({ FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: ' +2048 ' })).toBe(2048);
    expect(requestBodyLimitFrom({ FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '0' })).toBe(0);
    expect(requestBodyLimitFrom({ FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '209715200' })).toBe(209_715_200);
  });

  test.each(['1MB', '-5', '1.5', '0x100', '99999999999999999999'])(
    'keeps the default for "%s" and says so',
    (value) => {
      const log = new MemoryLogger();
      expect(requestBodyLimitFrom({ FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: value }, log)).toBe(104_857_600);
      expect(log.lines('warn')).toEqual([
        `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT is "${value}", not a number of bytes; the default 104857600 bytes (100 MiB) applies, as in Azure.`,
      ]);
    },
  );
});

describe('hostLimitApplies', () => {
  test("to the app's routes and the Functions host's own, not to the stand-ins for other services", () => {
    expect(hostLimitApplies('/api/transfers')).toBe(true);
    expect(hostLimitApplies('/runtime/webhooks/durabletask/instances')).toBe(true);
    expect(hostLimitApplies('/runtime/webhooks/eventgrid')).toBe(true);
    expect(hostLimitApplies('/.auth/login/local')).toBe(true);
    expect(hostLimitApplies('/runtime/eventgrid/topics/cardflow/api/events')).toBe(false);
    expect(hostLimitApplies('/runtime/otlp/v1/traces')).toBe(false);
    expect(hostLimitApplies('/runtime/durabletask-rpc/orchestrators/x')).toBe(false);
    expect(hostLimitApplies('/runtime/otlpx')).toBe(true);
  });
});

describe('describeBytes', () => {
  test('says MiB, KiB or bytes', () => {
    expect(describeBytes(1_048_576)).toBe('1 MiB');
    expect(describeBytes(65_536)).toBe('64 KiB');
    expect(describeBytes(104_857_600)).toBe('100 MiB');
    expect(describeBytes(1500)).toBe('1500 bytes');
  });
});
