/** A real HTTP webhook for the tests: records every request and answers as the test says. */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookCall {
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The host's clock when the request arrived (virtual time). */
  at: number;
}

export interface WebhookReceiver {
  url: string;
  calls: WebhookCall[];
  /** The POSTed notifications (the handshake left out). */
  notifications(): WebhookCall[];
  close(): Promise<void>;
}

/** A status that makes the webhook hold the request open without answering. */
export const HANG = 0;

export interface WebhookBehaviour {
  /** Status for the n-th notification (0-based), or HANG. Default 200. */
  status?: (n: number) => number;
  /** Whether the OPTIONS handshake allows the origin. Default true. */
  allowHandshake?: boolean;
  /** Clock to stamp calls with. */
  now?: () => number;
}

export async function startWebhook(behaviour: WebhookBehaviour = {}): Promise<WebhookReceiver> {
  const calls: WebhookCall[] = [];
  let notified = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({
        method: req.method ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: behaviour.now?.() ?? Date.now(),
      });
      if (req.method === 'OPTIONS') {
        const origin = String(req.headers['webhook-request-origin'] ?? '');
        res.writeHead(200, behaviour.allowHandshake === false ? {} : { 'WebHook-Allowed-Origin': origin });
        return res.end();
      }
      const status = behaviour.status?.(notified++) ?? 200;
      if (status === HANG) return; // never answers: the sender's timeout (or its stop) must end the request
      res.writeHead(status);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/events`,
    calls,
    notifications: () => calls.filter((c) => c.method === 'POST'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
