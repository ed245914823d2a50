import { InstanceWrites } from './instanceWrites';

describe('InstanceWrites', () => {
  test("a write of the instance settles its waits 'written', and only theirs", async () => {
    const writes = new InstanceWrites();
    const a1 = writes.next('a', 10_000);
    const a2 = writes.next('a', 10_000);
    const b = writes.next('b', 30);
    writes.wrote('a');
    await expect(a1.settled).resolves.toBe('written');
    await expect(a2.settled).resolves.toBe('written');
    await expect(b.settled).resolves.toBe('elapsed');
    expect(writes.size).toBe(0);
  });

  test("a wait nobody writes for settles 'elapsed' after its time, not before", async () => {
    const writes = new InstanceWrites();
    const began = Date.now();
    const wait = writes.next('a', 60);
    await expect(wait.settled).resolves.toBe('elapsed');
    expect(Date.now() - began).toBeGreaterThanOrEqual(55);
    writes.wrote('a'); // nobody left to wake
    expect(writes.size).toBe(0);
  });

  test('a write before the wait was registered does not settle it; cancel settles it and forgets it', async () => {
    const writes = new InstanceWrites();
    writes.wrote('a');
    const wait = writes.next('a', 10_000);
    expect(writes.size).toBe(1);
    wait.cancel();
    await expect(wait.settled).resolves.toBe('elapsed');
    expect(writes.size).toBe(0);
    writes.wrote('a');
  });
});

describe('InstanceWrites.close', () => {
  test('ends every wait at once, and every wait asked for later', async () => {
    const writes = new InstanceWrites();
    const a = writes.next('a', 60_000);
    const b = writes.next('b', 60_000);
    writes.close();
    await expect(a.settled).resolves.toBe('closed');
    await expect(b.settled).resolves.toBe('closed');
    expect(writes.size).toBe(0);
    await expect(writes.next('a', 60_000).settled).resolves.toBe('closed');
    expect(writes.size).toBe(0);
  });
});
