/**
 * The Azure Monitor exporter, as the app sets it up from APPLICATIONINSIGHTS_CONNECTION_STRING,
 * sends its telemetry to the connection string's ingestion endpoint: here a local HTTPS receiver
 * speaking the exporter's own protocol (POST /v2.1/track, gzip JSON envelopes), decoded below. The
 * app runs in a child process (the built dist/telemetry), as it would in a Functions worker.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

const REPO = path.resolve(__dirname, '..');
const TELEMETRY = path.join(REPO, 'dist/telemetry/index.js');

interface Envelope {
  name: string;
  iKey: string;
  tags: Record<string, string>;
  data: { baseType: string; baseData: Record<string, unknown> & { properties?: Record<string, string> } };
}

let dir: string;
let server: Server;
const received: Array<{ url: string; envelopes: Envelope[] }> = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cardflow-ai-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ],
    { stdio: 'pipe' },
  );
  server = createServer(
    { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
        const envelopes = JSON.parse(text) as Envelope[];
        received.push({ url: req.url ?? '', envelopes });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ itemsReceived: envelopes.length, itemsAccepted: envelopes.length, errors: [] }),
        );
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const APP = `
const t = require(${JSON.stringify(TELEMETRY)});
(async () => {
  const telemetry = t.startTelemetry();
  const traceId = await t.inSpan('command DecideTransfer', { kind: t.SpanKind.CONSUMER, attributes: { 'cardflow.transfer_id': 'tr-ai-1' } },
    (span) => t.inSpan('append transfer-tr-ai-1', {}, () => span.spanContext().traceId));
  await t.inSpan('activity creditDestination', {}, () => { throw new Error('store down'); }).catch(() => undefined);
  await telemetry.flush();
  process.stdout.write(JSON.stringify({ exportsTo: telemetry.exportsTo, traceId }));
  process.exit(0);
})();
`;

function runApp(env: NodeJS.ProcessEnv): Promise<{ exportsTo: string; traceId: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', APP], { cwd: REPO, env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}: ${err}`)),
    );
  });
}

it('sends the app’s spans to the connection string’s ingestion endpoint, one operation per trace', async () => {
  const { port } = server.address() as AddressInfo;
  const iKey = '00000000-0000-0000-0000-00000000c0de';
  const { exportsTo, traceId } = await runApp({
    APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${iKey};IngestionEndpoint=https://127.0.0.1:${port}/`,
    NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem'),
    APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
  });
  expect(exportsTo).toBe('azure-monitor');
  expect(received.every((r) => r.url === '/v2.1/track')).toBe(true);
  const envelopes = received.flatMap((r) => r.envelopes);
  const spans = envelopes.filter(
    (e) => e.data.baseType === 'RequestData' || e.data.baseType === 'RemoteDependencyData',
  );
  const byName = new Map(spans.map((e) => [e.data.baseData.name as string, e]));

  // A consumer span is a request (an operation's root); the spans in it are dependencies.
  const command = envelopes.find(
    (e) => e.data.baseType === 'RequestData' && e.tags['ai.operation.id'] === traceId,
  );
  expect(command).toMatchObject({ iKey, tags: { 'ai.cloud.role': 'cardflow' } });
  expect(command?.data.baseData.properties).toMatchObject({ 'cardflow.transfer_id': 'tr-ai-1' });
  const append = byName.get('append transfer-tr-ai-1');
  expect(append?.tags['ai.operation.id']).toBe(traceId);
  expect(append?.tags['ai.operation.parentId']).toBe(command?.data.baseData.id);
  expect(byName.get('activity creditDestination')?.data.baseData.success).toBe(false);
  expect(envelopes.some((e) => e.data.baseType === 'ExceptionData')).toBe(true);
}, 60_000);
