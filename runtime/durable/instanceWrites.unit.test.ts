import { InstanceWrites } from './instanceWrites';

describe('InstanceWrites', () => {
  test('a write of the instance settles its waits true, and only theirs', async () => {
    const writes = new InstanceWrites();
    const a1 = writes.next('a', 10_000);
    const a2 = writes.next('a', 10_000);
    const b = writes.next('b', 30);
    writes.wrote('a');
    await expect(a1.settled).resolves.toBe(true);
    await expect(a2.settled).resolves.toBe(true);
    await expect(b.settled).resolves.toBe(false);
    expect(writes.size).toBe(0);
  });

  test('a wait nobody writes for settles false after its time, not before', async () => {
    const writes = new InstanceWrites();
    const began = Date.now();
    const wait = writes.next('a', 60);
    await expect(wait.settled).resolves.toBe(false);
    expect(Date.now() - began).toBeGreaterThanOrEqual(55);
    writes.wrote('a'); // nobody left to wake
    expect(writes.size).toBe(0);
  });

  test('a write before the wait was registered does not settle it; cancel settles it false and forgets it', async () => {
    const writes = new InstanceWrites();
    writes.wrote('a');
    const wait = writes.next('a', 10_000);
    expect(writes.size).toBe(1);
    wait.cancel();
    await expect(wait.settled).resolves.toBe(false);
    expect(writes.size).toBe(0);
    writes.wrote('a');
  });
});
