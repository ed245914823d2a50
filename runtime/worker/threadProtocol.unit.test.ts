import { fromThreadError, Outbox, toThreadError } from './threadProtocol';

describe('failures crossing threads', () => {
  test('an Error keeps its name, message, stack and the codes failures are told apart by', () => {
    const original = Object.assign(new Error('conflict on n1'), {
      name: 'DocumentStoreError',
      status: 409,
      operationIndex: 2,
      code: 'SQLITE_BUSY',
      secret: { not: 'sent' },
    });
    const crossed = structuredClone(toThreadError(original));
    const rebuilt = fromThreadError(crossed) as Error & Record<string, unknown>;
    expect(rebuilt).toBeInstanceOf(Error);
    expect(rebuilt).toMatchObject({
      name: 'DocumentStoreError',
      message: 'conflict on n1',
      status: 409,
      operationIndex: 2,
      code: 'SQLITE_BUSY',
    });
    expect(rebuilt.stack).toBe(original.stack);
    expect(rebuilt.secret).toBeUndefined();
  });

  test('codes of the wrong type are not carried', () => {
    const odd = Object.assign(new Error('x'), { status: '409', code: 7 });
    expect(fromThreadError(toThreadError(odd))).not.toHaveProperty('status');
    expect(fromThreadError(toThreadError(odd))).not.toHaveProperty('code');
  });

  test('a thrown value that is no Error arrives as that value; one that cannot be cloned as its text', () => {
    expect(fromThreadError(structuredClone(toThreadError('plain text')))).toBe('plain text');
    expect(fromThreadError(structuredClone(toThreadError({ errorType: 'E', errorMessage: 'm' })))).toEqual({
      errorType: 'E',
      errorMessage: 'm',
    });
    const withFunction = { run: () => 1, toString: () => 'a value with a function' };
    expect(fromThreadError(structuredClone(toThreadError(withFunction)))).toBe('a value with a function');
  });
});

describe('Outbox', () => {
  test('the messages of one moment go as one batch, in order, at the end of the turn', async () => {
    const batches: number[][] = [];
    const outbox = new Outbox<number>((batch) => batches.push(batch));
    outbox.send(1);
    outbox.send(2);
    await Promise.resolve();
    outbox.send(3);
    expect(batches).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1, 2, 3]]);
    outbox.send(4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  test('flush sends what is queued at once, and nothing when nothing is', () => {
    const batches: string[][] = [];
    const outbox = new Outbox<string>((batch) => batches.push(batch));
    outbox.flush();
    outbox.send('a');
    outbox.flush();
    outbox.flush();
    expect(batches).toEqual([['a']]);
  });
});
