/**
 * A webhook subscriber of the host's Event Grid topic, in the bench's process: it answers the
 * CloudEvents validation handshake (OPTIONS) and keeps what each delivery carried, so a benchmark
 * learns when transfers ended without polling every one of them.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedEvent {
  readonly id: string;
  readonly type: string;
  /** The stream id (`transfer-…`). */
  readonly subject: string;
  /** When the event occurred (the CloudEvent's `time`), epoch ms. */
  readonly occurredAt: number;
  /** When it reached this receiver, epoch ms. */
  readonly receivedAt: number;
}

export interface EventReceiver {
  readonly url: string;
  /** Called once per event id (Event Grid delivers at least once: repeats are dropped). */
  onEvent(listener: (event: ReceivedEvent) => void): void;
  stop(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startEventReceiver(): Promise<EventReceiver> {
  const listeners: Array<(event: ReceivedEvent) => void> = [];
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(200, { 'WebHook-Allowed-Origin': String(req.headers['webhook-request-origin'] ?? '*') });
      res.end();
      return;
    }
    bodyOf(req).then(
      (text) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          res.writeHead(400).end();
          return;
        }
        const receivedAt = Date.now();
        for (const raw of Array.isArray(parsed) ? parsed : [parsed]) {
          const event = raw as { id: string; type: string; subject?: string; time?: string };
          if (seen.has(event.id)) continue;
          seen.add(event.id);
          const received: ReceivedEvent = {
            id: event.id,
            type: event.type,
            subject: event.subject ?? '',
            occurredAt: event.time ? Date.parse(event.time) : receivedAt,
            receivedAt,
          };
          for (const listener of listeners) listener(received);
        }
        res.writeHead(200).end();
      },
      () => res.writeHead(400).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events`,
    onEvent: (listener) => void listeners.push(listener),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
