import path from 'node:path';
import { parseCliArgs, UsageError } from './cli';

describe('CLI arguments', () => {
  const cwd = '/srv/app';

  test('default to port 7071, the current folder and .data under it', () => {
    expect(parseCliArgs([], {}, cwd)).toEqual({
      appRoot: cwd,
      port: 7071,
      dataDir: path.join(cwd, '.data'),
      hostname: '127.0.0.1',
    });
  });

  test('read PORT and CARDFLOW_DATA_DIR when the flags are absent', () => {
    expect(parseCliArgs([], { PORT: '8080', CARDFLOW_DATA_DIR: '/var/data' }, cwd)).toMatchObject({
      port: 8080,
      dataDir: '/var/data',
    });
  });

  test('put the default data folder in the app folder', () => {
    expect(parseCliArgs(['--app', 'sub'], {}, cwd).dataDir).toBe('/srv/app/sub/.data');
  });

  test('let flags win over the environment, in both --flag value and --flag=value forms', () => {
    const options = parseCliArgs(
      ['--port=9000', '--data-dir', 'state', '--app', 'sub', '--hostname', '0.0.0.0'],
      { PORT: '8080', CARDFLOW_DATA_DIR: '/x' },
      cwd,
    );
    expect(options).toEqual({
      appRoot: '/srv/app/sub',
      port: 9000,
      dataDir: '/srv/app/state',
      hostname: '0.0.0.0',
    });
  });

  test('reject unknown flags, missing values and bad ports', () => {
    expect(() => parseCliArgs(['--nope'], {}, cwd)).toThrow(UsageError);
    expect(() => parseCliArgs(['--port'], {}, cwd)).toThrow('--port needs a value');
    expect(() => parseCliArgs(['--port', '70000'], {}, cwd)).toThrow(
      'The port must be a number from 0 to 65535',
    );
    expect(() => parseCliArgs([], { PORT: 'abc' }, cwd)).toThrow('not "abc"');
  });
});
