/**
 * Local Event Grid throughput: N events published with the real EventGridPublisherClient (through
 * the app's EventPublisher) to the local topic on an on-disk SQLite database, then delivered one per
 * request to a webhook on loopback and one per invocation to an app.eventGrid function.
 * Prints accepted events/s and delivered events/s, with the machine it ran on.
 *
 * Usage: npm run bench:eventgrid [-- --events N --batch B]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EventGridTopicService } from '@cardflow/local-host';
import { startHost } from '@cardflow/local-host';
import { EventGridEventPublisher, type PublishableEvent } from '../stores/eventPublisher';

const APP_ROOT = path.resolve(__dirname, '../../bench/fixtures/eventgrid-sink');
const KEY = 'YmVuY2gta2V5LWZvci10aGUtbG9jYWwtdG9waWM=';

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

function loaded(n: number): PublishableEvent {
  return {
    id: `account-bench-1:${n}`,
    streamId: 'account-bench-1',
    version: n,
    type: 'CreditsLoaded',
    data: { accountId: 'bench-1', loadId: `ld-${n}`, amount: 10_000, fee: 2, net: 9_998 },
    metadata: { occurredAt: new Date().toISOString() },
  };
}

async function main(): Promise<void> {
  const events = argument('events', 2000);
  const batch = argument('batch', 100);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-eventgrid-'));
  let webhookReceived = 0;
  const webhook = createServer((req, res) => {
    if (req.method === 'POST') webhookReceived++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'WebHook-Allowed-Origin': String(req.headers['webhook-request-origin'] ?? '*') });
      res.end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/events`;
  const quiet = { info: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };
  const topic = new EventGridTopicService({
    subscriptions: [
      { name: 'bench-webhook', endpoint: hookUrl },
      { name: 'bench-function', functionName: 'sink' },
    ],
  });
  const host = await startHost({
    appRoot: APP_ROOT,
    port: 0,
    dataFile: path.join(dir, 'bench.db'),
    log: quiet,
    services: [topic],
    settings: { EVENTGRID_TOPIC_KEY: KEY },
  });
  try {
    const publisher = new EventGridEventPublisher({
      endpoint: `${host.baseUrl}/runtime/eventgrid/topics/cardflow`,
      key: KEY,
    });
    const began = performance.now();
    for (let start = 1; start <= events; start += batch) {
      const slice = Array.from({ length: Math.min(batch, events - start + 1) }, (_, i) => loaded(start + i));
      await publisher.publish(slice);
    }
    const published = performance.now();
    await host.waitForIdle({ timeoutMs: 30 * 60_000 });
    const delivered = performance.now();

    const sink = (globalThis as unknown as { __eventGridSink: { received: number } }).__eventGridSink;
    if (webhookReceived !== events || sink.received !== events) {
      throw new Error(
        `delivered ${webhookReceived} to the webhook and ${sink.received} to the function, of ${events}`,
      );
    }
    const publishSeconds = (published - began) / 1000;
    const totalSeconds = (delivered - began) / 1000;
    const cpus = os.cpus();
    console.log(
      'local Event Grid benchmark: EventGridPublisherClient → local topic → webhook + app.eventGrid function, on-disk SQLite (WAL)',
    );
    console.log(
      `machine:    ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`,
    );
    console.log(
      `published:  ${events} events in batches of ${batch} in ${publishSeconds.toFixed(2)} s (${(events / publishSeconds).toFixed(0)} events/s accepted)`,
    );
    console.log(
      `delivered:  ${2 * events} deliveries (webhook + function) in ${totalSeconds.toFixed(2)} s from the first publish (${((2 * events) / totalSeconds).toFixed(0)} deliveries/s)`,
    );
  } finally {
    await host.stop();
    await new Promise<void>((resolve) => webhook.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
