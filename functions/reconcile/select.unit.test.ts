import { DEFAULT_RECONCILER_SCHEDULE, loadSettings, SettingsError } from '../settings';
import { compensationFor, ENDED_GRACE_MS, GONE_GRACE_MS, selectAction, type ProcessState } from './select';

const ENDED_AT = Date.parse('2026-01-01T00:00:00Z');
/** Long enough after the process ended that none of its activities can still run. */
const LATER = ENDED_AT + ENDED_GRACE_MS + 1;
const running = (runtimeStatus: string): ProcessState => ({
  exists: true,
  runtimeStatus,
  lastUpdatedAt: ENDED_AT,
});
const gone: ProcessState = { exists: false };

describe('the reconciler selects', () => {
  it('open transfers whose process was terminated or failed, at any age, once its activities cannot still run', () => {
    for (const transferStatus of ['requested', 'awaiting_approval', 'approved'] as const) {
      expect(selectAction({ transferStatus, process: running('Terminated'), ageMs: 0, now: LATER })).toEqual({
        action: 'compensate',
        why: 'terminated',
      });
      expect(selectAction({ transferStatus, process: running('Failed'), ageMs: 0, now: LATER })).toEqual({
        action: 'compensate',
        why: 'failed',
      });
    }
  });

  it('waits ENDED_GRACE_MS after the instance last changed: an activity may outlive its terminated process', () => {
    expect(ENDED_GRACE_MS).toBe(10 * 60_000);
    const transferStatus = 'awaiting_approval';
    for (const [status, why] of [
      ['Terminated', 'terminated'],
      ['Failed', 'failed'],
    ] as const) {
      for (const now of [ENDED_AT, ENDED_AT + 60_000, ENDED_AT + ENDED_GRACE_MS - 1])
        expect(selectAction({ transferStatus, process: running(status), ageMs: 3_600_000, now })).toEqual({
          action: 'wait',
          why,
          until: ENDED_AT + ENDED_GRACE_MS,
        });
      expect(
        selectAction({ transferStatus, process: running(status), ageMs: 0, now: ENDED_AT + ENDED_GRACE_MS })
          .action,
      ).toBe('compensate');
    }
    expect(
      selectAction({
        transferStatus,
        process: running('Terminated'),
        ageMs: 0,
        now: ENDED_AT + 2_000,
        endedGraceMs: 1_000,
      }).action,
    ).toBe('compensate');
  });

  it('open transfers whose process is gone, only past the grace period', () => {
    const transferStatus = 'awaiting_approval';
    expect(selectAction({ transferStatus, process: gone, ageMs: GONE_GRACE_MS + 1, now: LATER })).toEqual({
      action: 'compensate',
      why: 'gone',
    });
    expect(selectAction({ transferStatus, process: gone, ageMs: GONE_GRACE_MS, now: LATER }).action).toBe(
      'leave',
    );
    expect(
      selectAction({ transferStatus: 'requested', process: gone, ageMs: 1_000, now: LATER }).action,
    ).toBe('leave');
    expect(
      selectAction({ transferStatus, process: gone, ageMs: 2_000, now: LATER, graceMs: 1_000 }).action,
    ).toBe('compensate');
  });

  it('never a transfer whose process still runs, or has completed', () => {
    for (const status of ['Running', 'Pending', 'Suspended', 'ContinuedAsNew', 'Completed'])
      expect(
        selectAction({
          transferStatus: 'awaiting_approval',
          process: running(status),
          ageMs: 10 * GONE_GRACE_MS,
          now: LATER,
        }),
      ).toMatchObject({ action: 'leave' });
  });

  it('never a finished transfer, whatever its process', () => {
    for (const transferStatus of ['completed', 'rejected', 'expired', 'failed'] as const)
      for (const process of [running('Terminated'), running('Failed'), gone])
        expect(selectAction({ transferStatus, process, ageMs: 10 * GONE_GRACE_MS, now: LATER }).action).toBe(
          'leave',
        );
  });
});

describe('the reconciler compensates without creating or destroying money', () => {
  it('releases only when nothing reached the destination and nothing was captured', () => {
    const facts = { captured: false, creditedIn: false, released: false };
    expect(compensationFor(facts)).toBe('release');
    expect(compensationFor({ ...facts, released: true })).toBe('release');
    expect(compensationFor({ ...facts, captured: true, creditedIn: true })).toBe('complete');
  });

  it('finishes a half-done move (credited but not captured, or captured but not credited), never releases it', () => {
    expect(compensationFor({ captured: false, creditedIn: true, released: false })).toBe('finish');
    expect(compensationFor({ captured: true, creditedIn: false, released: false })).toBe('finish');
  });

  it('leaves for a person a destination credited whose reservation was released', () => {
    expect(compensationFor({ captured: false, creditedIn: true, released: true })).toBe('stuck');
  });
});

describe('RECONCILER_SCHEDULE', () => {
  it('defaults to every minute and takes NCRONTAB or a TimeSpan', () => {
    expect(loadSettings({}).reconcilerSchedule).toBe(DEFAULT_RECONCILER_SCHEDULE);
    expect(loadSettings({ RECONCILER_SCHEDULE: '0 */5 * * * *' }).reconcilerSchedule).toBe('0 */5 * * * *');
    expect(loadSettings({ RECONCILER_SCHEDULE: '00:01:00' }).reconcilerSchedule).toBe('00:01:00');
  });

  it('stops the app on a value that is neither', () => {
    for (const bad of ['*/5 * * * *', 'every minute', '0 */1 * * * * *'])
      expect(() => loadSettings({ RECONCILER_SCHEDULE: bad })).toThrow(SettingsError);
    expect(() => loadSettings({ RECONCILER_SCHEDULE: 'soon' })).toThrow(/RECONCILER_SCHEDULE/);
  });
});
