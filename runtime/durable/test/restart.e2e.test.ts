import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VirtualClock } from '../../clock';
import { createDurableService } from '../service';
import { start, startDurableHost, status } from './helpers';

const HOUR = 60 * 60 * 1000;

describe('a durable host restarted on the same database file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'durable-restart-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const lines = (file: string): string[] =>
    existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

  async function until(condition: () => boolean): Promise<void> {
    for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    if (!condition()) throw new Error('condition not reached');
  }

  test('finishes the orchestration, running each activity once except the one the stop interrupted', async () => {
    const dataFile = path.join(dir, 'durable.db');
    const file = path.join(dir, 'effects.txt');
    const gate = path.join(dir, 'gate');
    const first = await startDurableHost({
      dataFile,
      services: [createDurableService({ drainTimeoutMs: 100 })],
    });
    const id = await start(first, 'RecordedSteps', { file, gate, steps: 5, gateAt: 3 });
    await until(() => lines(file).includes('step-3'));
    expect((await status(first, id)).runtimeStatus).toBe('Running');

    const stopping = first.stop();
    // Let the drain time out first, so step 3 counts as interrupted; then let it finish (its result is dropped).
    await new Promise((resolve) => setTimeout(resolve, 300));
    writeFileSync(gate, 'open');
    await stopping;

    const second = await startDurableHost({ dataFile });
    try {
      // The interrupted attempt counts as crashed: it runs again after the crash backoff (1 s).
      await second.waitForIdle();
      expect((await status(second, id)).runtimeStatus).toBe('Running');
      await second.advance(1000);
      expect(await status(second, id)).toMatchObject({
        runtimeStatus: 'Completed',
        output: ['step-1', 'step-2', 'step-3', 'step-4', 'step-5'],
      });
      expect(lines(file)).toEqual(['step-1', 'step-2', 'step-3', 'step-3', 'step-4', 'step-5']);
    } finally {
      await second.stop();
    }
  });

  test('a stop that lets running work finish loses nothing and repeats nothing', async () => {
    const dataFile = path.join(dir, 'durable.db');
    const file = path.join(dir, 'effects.txt');
    const first = await startDurableHost({ dataFile });
    const id = await start(first, 'RecordedSteps', { file, steps: 40 });
    await until(() => lines(file).length >= 5);
    await first.stop();
    const recordedBeforeStop = lines(file).length;
    expect(recordedBeforeStop).toBeLessThan(40);

    const second = await startDurableHost({ dataFile });
    try {
      await second.waitForIdle();
      expect((await status(second, id)).runtimeStatus).toBe('Completed');
      expect(lines(file)).toEqual(Array.from({ length: 40 }, (_, i) => `step-${i + 1}`));
    } finally {
      await second.stop();
    }
  });

  test('durable timers survive the restart and fire when the new host finds them due', async () => {
    const dataFile = path.join(dir, 'durable.db');
    const clock = new VirtualClock(Date.parse('2026-03-01T00:00:00Z'));
    const first = await startDurableHost({ dataFile, clock });
    const id = await start(first, 'Approval');
    await first.waitForIdle();
    await first.stop();

    const second = await startDurableHost({ dataFile, clock: new VirtualClock(clock.now() + 25 * HOUR) });
    try {
      await second.advance(0);
      expect(await status(second, id)).toMatchObject({
        runtimeStatus: 'Completed',
        output: { decision: 'expired' },
      });
    } finally {
      await second.stop();
    }
  });
});
