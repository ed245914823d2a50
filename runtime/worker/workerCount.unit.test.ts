import { SettingsError } from '../settings';
import { MAX_WORKERS, workerCountFrom } from './workerCount';

describe('FUNCTIONS_WORKER_PROCESS_COUNT', () => {
  test('absent or blank: the host default', () => {
    expect(workerCountFrom({}, 1)).toBe(1);
    expect(workerCountFrom({ FUNCTIONS_WORKER_PROCESS_COUNT: '  ' }, 3)).toBe(3);
  });

  test('a whole number from 1 to 10 wins over the default', () => {
    expect(workerCountFrom({ FUNCTIONS_WORKER_PROCESS_COUNT: '2' }, 1)).toBe(2);
    expect(workerCountFrom({ FUNCTIONS_WORKER_PROCESS_COUNT: ' 1 ' }, 4)).toBe(1);
    expect(workerCountFrom({ FUNCTIONS_WORKER_PROCESS_COUNT: String(MAX_WORKERS) }, 1)).toBe(MAX_WORKERS);
  });

  test.each(['0', '11', '-2', '1.5', 'two', '2x', '1e1'])('%j is refused, naming the setting', (value) => {
    expect(() => workerCountFrom({ FUNCTIONS_WORKER_PROCESS_COUNT: value }, 1)).toThrow(SettingsError);
    expect(() => workerCountFrom({ FUNCTIONS_WORKER_PROCESS_COUNT: value }, 1)).toThrow(
      `FUNCTIONS_WORKER_PROCESS_COUNT must be a whole number from 1 to 10, not ${JSON.stringify(value)}.`,
    );
  });
});
