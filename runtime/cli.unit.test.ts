import type { NetworkInterfaceInfo } from 'node:os';
import path from 'node:path';
import {
  defaultWorkerCount,
  describeBanner,
  describeListenError,
  parseCliArgs,
  reachableAddresses,
  UsageError,
} from './cli';
import { ListenError } from './host';

describe('CLI arguments', () => {
  const cwd = '/srv/app';

  test('default to port 7071, the current folder and .data under it', () => {
    expect(parseCliArgs([], {}, cwd)).toEqual({
      appRoot: cwd,
      port: 7071,
      dataDir: path.join(cwd, '.data'),
      hostname: '127.0.0.1',
      links: [],
      hints: [],
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
      links: [],
      hints: [],
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

describe('CLI links and hints', () => {
  test('--link LABEL=/path and --hint TEXT repeat, in order', () => {
    const options = parseCliArgs(
      [
        '--link',
        'Dashboard=/api/dashboard/',
        '--link=Health=/api/health',
        '--hint',
        'npm run simulate -- --scenario approved',
      ],
      {},
      '/srv/app',
    );
    expect(options.links).toEqual([
      { label: 'Dashboard', path: '/api/dashboard/' },
      { label: 'Health', path: '/api/health' },
    ]);
    expect(options.hints).toEqual(['npm run simulate -- --scenario approved']);
  });

  test('a link without a label or an absolute path is a usage error', () => {
    expect(() => parseCliArgs(['--link', '/api/dashboard/'], {}, '/srv')).toThrow(UsageError);
    expect(() => parseCliArgs(['--link', 'Dashboard=api/dashboard'], {}, '/srv')).toThrow(
      '--link takes LABEL=/path',
    );
  });
});

describe('the start banner', () => {
  const interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = {
    lo: [
      {
        address: '127.0.0.1',
        netmask: '255.0.0.0',
        family: 'IPv4',
        mac: '00:00:00:00:00:00',
        internal: true,
        cidr: null,
      },
    ],
    eth0: [
      {
        address: '192.168.1.20',
        netmask: '255.255.255.0',
        family: 'IPv4',
        mac: '02:00:00:00:00:01',
        internal: false,
        cidr: null,
      },
      {
        address: 'fe80::1',
        netmask: 'ffff:ffff:ffff:ffff::',
        family: 'IPv6',
        mac: '02:00:00:00:00:01',
        internal: false,
        cidr: null,
        scopeid: 2,
      },
      {
        address: '2001:db8::20',
        netmask: 'ffff:ffff:ffff:ffff::',
        family: 'IPv6',
        mac: '02:00:00:00:00:01',
        internal: false,
        cidr: null,
        scopeid: 0,
      },
    ],
  };
  const host = { baseUrl: 'http://127.0.0.1:7071', port: 7071 };
  const options = {
    dataDir: '/srv/app/.data',
    hostname: '127.0.0.1',
    links: [{ label: 'Dashboard', path: '/api/dashboard/' }],
    hints: ['npm run simulate -- --scenario approved (in another terminal)'],
  };

  test('ends with the listening URL, then the dashboard and the next command', () => {
    expect(describeBanner(host, options, interfaces)).toEqual([
      'Host listening on http://127.0.0.1:7071 (data: /srv/app/.data)',
      'Dashboard: http://127.0.0.1:7071/api/dashboard/',
      'Next: npm run simulate -- --scenario approved (in another terminal)',
    ]);
  });

  test('on 0.0.0.0 says which addresses other machines use (never 0.0.0.0)', () => {
    const lines = describeBanner(host, { ...options, hostname: '0.0.0.0' }, interfaces);
    expect(lines[0]).toBe('Listening on every interface: from other machines http://192.168.1.20:7071');
    expect(lines[1]).toBe('Host listening on http://127.0.0.1:7071 (data: /srv/app/.data)');
    expect(lines.join('\n')).not.toContain('0.0.0.0');
    expect(reachableAddresses('::', 7071, interfaces)).toEqual([
      'http://192.168.1.20:7071',
      'http://[2001:db8::20]:7071',
    ]);
    expect(reachableAddresses('127.0.0.1', 7071, interfaces)).toEqual([]);
    expect(describeBanner(host, { ...options, hostname: '0.0.0.0' }, { lo: interfaces.lo })[0]).toBe(
      'Listening on every interface (this machine has no external address).',
    );
  });
});

describe('a port the host cannot listen on', () => {
  test('in use: names the port and says what to do', () => {
    expect(describeListenError(new ListenError('EADDRINUSE', 7071, '127.0.0.1'))).toBe(
      'Port 7071 on 127.0.0.1 is already in use (EADDRINUSE): another host, or another program, listens there. ' +
        'Stop the other one (is an earlier npm start still running?), or start on another port: ' +
        'npm start -- --port 7072 (or PORT=7072; --port 0 picks a free one).',
    );
  });

  test('not allowed, or not an address of this machine', () => {
    expect(describeListenError(new ListenError('EACCES', 80, '127.0.0.1'))).toContain(
      'Pick a port above 1023',
    );
    expect(describeListenError(new ListenError('EADDRNOTAVAIL', 7071, '10.9.9.9'))).toContain(
      '10.9.9.9 is not an address of this machine',
    );
  });
});

describe('the default worker count of `npm start`', () => {
  test('one worker thread per core but the one the host thread needs, from 1 to 10', () => {
    expect(defaultWorkerCount(1)).toBe(1);
    expect(defaultWorkerCount(2)).toBe(1);
    expect(defaultWorkerCount(4)).toBe(3);
    expect(defaultWorkerCount(64)).toBe(10);
  });
});
