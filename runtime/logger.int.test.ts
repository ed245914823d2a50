import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { consoleLogger } from './logger';

describe('consoleLogger', () => {
  afterEach(() => jest.restoreAllMocks());

  test('writes the lines of one turn of the event loop as one write, after the turn, in order', async () => {
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const log = consoleLogger('text');
    log.info('first');
    log.warn('careful');
    log.info('second');
    expect(out).not.toHaveBeenCalled();
    await new Promise((r) => setImmediate(r));
    expect(out).toHaveBeenCalledTimes(1);
    expect(String(out.mock.calls[0][0])).toMatch(/^\[\S+\] first\n\[\S+\] second\n$/);
    expect(err).toHaveBeenCalledTimes(1);
    expect(String(err.mock.calls[0][0])).toMatch(/^\[\S+\] careful\n$/);
    log.info('next turn');
    await new Promise((r) => setImmediate(r));
    expect(out).toHaveBeenCalledTimes(2);
  });

  test('writes what is left when the process exits right after logging', () => {
    // The compiled host (npm test builds it first), in a process of its own.
    const logger = path.resolve(__dirname, '../dist/runtime/logger.js');
    const run = spawnSync(
      process.execPath,
      [
        '-e',
        `const log = require(${JSON.stringify(logger)}).consoleLogger('json'); log.info('a'); log.error('b'); process.exit(3);`,
      ],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ level: 'info', message: 'a' });
    expect(JSON.parse(run.stderr)).toMatchObject({ level: 'error', message: 'b' });
  });
});
