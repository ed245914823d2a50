/**
 * A stand-in for an OpenTelemetry collector, for `npm run bench -- --tracing on`: an OTLP/HTTP
 * endpoint in a process of its own (as a collector runs beside the app in production, not inside
 * it) that takes every export, counts it, and answers as OTLP says. `GET /count` → `{exports, bytes}`.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const COLLECTOR = `
const http = require('node:http');
const seen = { exports: 0, bytes: 0 };
http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(seen));
  }
  req.on('data', (chunk) => (seen.bytes += chunk.length));
  req.on('end', () => {
    if (req.url.endsWith('/v1/traces')) seen.exports += 1;
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
    res.end();
  });
}).listen(0, '127.0.0.1', function () { process.stdout.write(this.address().port + '\\n'); });
`;

export interface Collector {
  endpoint: string;
  /** Trace exports received, and bytes of every export. */
  count(): Promise<{ exports: number; bytes: number }>;
  stop(): void;
}

/** Starts the collector process; resolves with its endpoint once it listens. */
export function startCollector(): Promise<Collector> {
  const child: ChildProcess = spawn(process.execPath, ['-e', COLLECTOR], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (data: Buffer) => {
      const endpoint = `http://127.0.0.1:${String(data).trim()}`;
      resolve({
        endpoint,
        count: async () =>
          (await (await fetch(`${endpoint}/count`)).json()) as { exports: number; bytes: number },
        stop: () => child.kill(),
      });
    });
  });
}
