/**
 * An HTTP answer goes out only once what the request changed is on disk (see `groupCommit.ts`):
 * the response's first bytes wait for the database's next commit. A 202 is a promise to the
 * client that the work was accepted; after a crash the work is there. When the commit reports the
 * writes lost (SQLite rolled the group's transaction back) the answer is never sent.
 */
import type { ServerResponse } from 'node:http';

type Write = ServerResponse['write'];
type End = ServerResponse['end'];

/**
 * Makes `res` hold its body (and so its headers) until `durable()` settles. With `mark` (the group
 * commit's `mark`, taken now, as the request arrives) the answer is refused too when a transaction
 * was lost at any time while the request ran, found before the answer was ready or not.
 */
export function holdUntilDurable(
  res: ServerResponse,
  durable: (since?: number) => Promise<void>,
  mark?: () => number,
): void {
  const since = mark?.();
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let committed: Promise<void> | undefined;
  // One wait per response, started by its first byte: the writes after it keep their order.
  // When the commit reports the writes lost, nothing is sent: the connection ends as after a crash,
  // and the client does not take a success for work that is not on disk.
  const afterCommit = (send: () => void) => {
    committed ??= durable(since);
    committed.then(send, () => {
      if (!res.destroyed) res.destroy();
    });
  };
  res.write = ((...args: unknown[]) => {
    afterCommit(() => write(...args));
    return true;
  }) as Write;
  res.end = ((...args: unknown[]) => {
    afterCommit(() => end(...args));
    return res;
  }) as End;
}
