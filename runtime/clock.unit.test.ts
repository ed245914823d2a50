import { RealClock, VirtualClock } from './clock';

describe('VirtualClock', () => {
  it('fires timers in time order while advancing, with the clock at each timer', async () => {
    const clock = new VirtualClock(0);
    const seen: Array<[string, number]> = [];
    clock.schedule(300, () => seen.push(['c', clock.now()]));
    clock.schedule(100, () => seen.push(['a', clock.now()]));
    clock.schedule(200, () => seen.push(['b', clock.now()]));
    await clock.advance(250);
    expect(seen).toEqual([
      ['a', 100],
      ['b', 200],
    ]);
    expect(clock.now()).toBe(250);
    expect(clock.nextTimerAt()).toBe(300);
  });

  it('fires a timer scheduled in the past on the next tick without advancing', async () => {
    const clock = new VirtualClock(1000);
    const fired = jest.fn();
    clock.schedule(500, fired);
    await new Promise((r) => setImmediate(r));
    expect(fired).toHaveBeenCalledTimes(1);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('does not fire a cancelled timer', async () => {
    const clock = new VirtualClock(0);
    const fired = jest.fn();
    const cancel = clock.schedule(10, fired);
    cancel();
    await clock.advance(100);
    expect(fired).not.toHaveBeenCalled();
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('fires timers that a firing timer schedules within the same advance', async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.schedule(10, () => clock.schedule(clock.now() + 10, () => seen.push(clock.now())));
    await clock.advance(30);
    expect(seen).toEqual([20]);
  });

  it('refuses to go backwards', async () => {
    const clock = new VirtualClock(100);
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
    await expect(clock.advanceTo(50)).rejects.toThrow(RangeError);
  });
});

describe('RealClock', () => {
  it('runs a scheduled function once its time has come and can be cancelled', async () => {
    const clock = new RealClock();
    const fired = jest.fn();
    const cancelled = jest.fn();
    clock.schedule(clock.now() + 5, fired);
    clock.schedule(clock.now() + 5, cancelled)();
    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toHaveBeenCalledTimes(1);
    expect(cancelled).not.toHaveBeenCalled();
  });
});
