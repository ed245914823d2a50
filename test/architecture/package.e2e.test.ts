/**
 * The deployable package (`npm run package`): built into a temporary folder outside the repository
 * with its production dependencies only, it holds the app and nothing of the local host, and it
 * loads through its own copy of the real `@azure/functions` library as the Functions worker loads
 * it (here: the local host's loader, which stands in for the worker). Needs `npm run build` first
 * (the dashboard's compiled files go into the package).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestHost, type TestHost } from '@cardflow/local-host';
import { buildPackage } from '../../scripts/package';

const REPO = path.resolve(__dirname, '..', '..');
let out: string;
let packaged: TestHost | undefined;
let developed: TestHost | undefined;
const PAULA = { id: 'paula', name: 'Paula', roles: ['customer'], token: 'paula-token-0123456789' };

beforeAll(() => {
  out = path.join(mkdtempSync(path.join(os.tmpdir(), 'cardflow-package-')), 'functionapp');
  buildPackage({ out, log: () => undefined });
}, 180_000);

afterAll(async () => {
  await packaged?.stop();
  await developed?.stop();
  rmSync(path.dirname(out), { recursive: true, force: true });
});

describe('the deployable package', () => {
  it('holds the compiled app, the dashboard, host.json and a manifest with production dependencies only', () => {
    for (const file of ['dist/functions/index.js', 'web/index.html', 'web/dist/main.js', 'host.json'])
      expect(existsSync(path.join(out, file))).toBe(true);
    const manifest = JSON.parse(readFileSync(path.join(out, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const source = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest.main).toBe(source.main);
    expect(manifest.dependencies).toEqual(source.dependencies);
    expect(manifest).not.toHaveProperty('devDependencies');
    expect(manifest).not.toHaveProperty('workspaces');
    expect(manifest).not.toHaveProperty('scripts');
  });

  it('installs its dependencies at the versions of the tested lockfile', () => {
    type Lock = { packages: Record<string, { version?: string; dev?: boolean }> };
    const tested = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as Lock;
    const shipped = JSON.parse(readFileSync(path.join(out, 'package-lock.json'), 'utf8')) as Lock;
    const installed = Object.entries(shipped.packages).filter(([key]) => key.startsWith('node_modules/'));
    expect(installed.length).toBeGreaterThan(20);
    for (const [key, entry] of installed) {
      expect(tested.packages[key]?.dev).not.toBe(true);
      expect([key, entry.version]).toEqual([key, tested.packages[key]?.version]);
    }
  });

  it('loads on its own with the Azure settings (Cosmos DB, Event Grid)', () => {
    const started = spawnSync(process.execPath, ['-e', "require('./dist/functions/index.js')"], {
      cwd: out,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        CARDFLOW_STORE: 'cosmos',
        CosmosDBConnection: 'AccountEndpoint=https://cardflow.documents.azure.com:443/;AccountKey=a2V5;',
        EVENTGRID_TOPIC_ENDPOINT: 'https://cardflow.westeurope-1.eventgrid.azure.net/api/events',
        EVENTGRID_TOPIC_KEY: 'topic-key',
      },
    });
    expect(started.stderr).not.toMatch(/Error|invalid/i);
    expect(started.status).toBe(0);
  });

  it('contains neither the local host nor SQLite nor tests', () => {
    for (const absent of [
      'dist/runtime',
      'runtime',
      'dist/bench',
      'dist/simulator',
      'dist/scripts',
      'dist/test',
    ])
      expect(existsSync(path.join(out, absent))).toBe(false);
    for (const module of ['@photostructure/sqlite', '@cardflow/local-host', 'typescript', 'jest']) {
      expect(existsSync(path.join(out, 'node_modules', module))).toBe(false);
      expect(() => require.resolve(module, { paths: [path.join(out, 'dist', 'functions')] })).toThrow();
    }
    const compiled = spawnSync(
      'grep',
      // No compiled module requires SQLite, the local host, or a path into runtime/.
      [
        '-rlE',
        'require\\("(@photostructure/sqlite|@cardflow/local-host|[./]*runtime/[^"]*)"\\)',
        path.join(out, 'dist'),
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(compiled.stdout).toBe('');
  });

  it('refuses to start on its own with CARDFLOW_STORE=local, saying why', () => {
    const started = spawnSync(process.execPath, ['-e', "require('./dist/functions/index.js')"], {
      cwd: out,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, CARDFLOW_STORE: 'local' },
    });
    expect(started.status).not.toBe(0);
    expect(started.stderr).toContain('no local host runs this app');
    expect(started.stderr).toContain('CARDFLOW_STORE=cosmos');
  });

  it('registers every function of the app through its own @azure/functions, and serves requests', async () => {
    developed = await createTestHost({ appRoot: REPO, dataFile: ':memory:' });
    const expected = [...developed.registry.functions.keys()].sort();
    await developed.stop();
    developed = undefined;

    // Callers authenticate through the host's Easy Auth, as in Azure through App Service's.
    packaged = await createTestHost({ appRoot: out, dataFile: ':memory:', users: [PAULA] });
    expect([...packaged.registry.functions.keys()].sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(20);
    // The library the app registered with is the package's own copy, not the repository's.
    const library = require.resolve('@azure/functions', { paths: [path.join(out, 'dist', 'functions')] });
    expect(library.startsWith(out)).toBe(true);

    expect((await packaged.fetch('/api/openapi.json')).status).toBe(200);
    expect((await packaged.fetch('/api/dashboard/')).status).toBe(200);
    const opened = await packaged.fetch('/api/accounts', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${PAULA.token}` },
      body: JSON.stringify({ accountId: 'acc-packaged', kind: 'user' }),
    });
    expect(opened.status).toBe(202);
    await packaged.waitForIdle();
    const account = await packaged.fetch('/api/accounts/acc-packaged', {
      headers: { authorization: `Bearer ${PAULA.token}` },
    });
    expect(account.status).toBe(200);
    expect(await account.json()).toMatchObject({ accountId: 'acc-packaged', ownerId: 'paula', available: 0 });
  }, 60_000);
});
