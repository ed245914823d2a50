/**
 * The dashboard as served by the app's own HTTP function on the local host, in Chromium. The app
 * here is only the dashboard function (fixtures/dashboard-only), so the app API answers 404 and the
 * page must say so in words; the Durable HTTP API and Easy Auth are the host's real ones. The
 * browser signs in as an approver who is an operator too, so every view is offered; signing in and
 * out, and the prompt shown to nobody, are checked in a browser of their own.
 * The approval scenarios against the whole app are in approvals.e2e.test.ts.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { createDurableService } from '@cardflow/local-host';
import { createTestHost, type TestHost } from '@cardflow/local-host';
import { Callers } from '../support/callers';
import { accessibilityProblems, fitsViewportWidth } from './accessibility';
import { DashboardPage, type View } from './dashboardPage';
import { onFailureScreenshot, openBrowser, screenshot, scriptErrors, type BrowserSession } from './harness';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'dashboard-only');

/** Approver and operator: offered every view. */
const EVERY_VIEW = 'olga';

let host: TestHost;
let session: BrowserSession;
let dashboard: DashboardPage;

beforeAll(async () => {
  for (const built of ['dist/functions/dashboard.js', 'web/dist/main.js']) {
    if (!existsSync(path.join(ROOT, built)))
      throw new Error(`${built} is missing: run \`npm run build\` first (npm test does).`);
  }
  // The durable backend serves the Durable HTTP API the monitor and the transfer view call.
  host = await createTestHost({ appRoot: FIXTURE, services: [createDurableService()], users: false });
  new Callers(host).as(EVERY_VIEW, 'approver', 'operator');
  session = await openBrowser();
  dashboard = new DashboardPage(session.page, host.baseUrl);
  await onFailureScreenshot(session.page, () => dashboard.signIn(EVERY_VIEW));
});

afterAll(async () => {
  await session?.close();
  await host?.stop();
});

beforeEach(() => {
  session.consoleErrors.length = 0;
  session.pageErrors.length = 0;
});

const step = <T>(fn: () => Promise<T>): Promise<T> =>
  onFailureScreenshot(session.page, fn, () => host.logs.entries.map((e) => `${e.level}: ${e.message}`));

describe('the dashboard served by the app', () => {
  it('renders the inbox and says in words that the approvals API is not there', () =>
    step(async () => {
      await dashboard.open('inbox', { pollMs: 500 });
      await expect(session.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Cardflow');
      await dashboard.inbox.status.getByText(/The inbox could not be loaded: Not Found \(404\)/).waitFor();
      expect(await session.page.title()).toBe('Approvals inbox — Cardflow');
      expect(session.pageErrors).toEqual([]);
      expect(scriptErrors(session)).toEqual([]);
      await screenshot(session.page, 'dashboard inbox');
    }));

  it.each<[View, 'light' | 'dark']>([
    ['inbox', 'light'],
    ['lookup', 'light'],
    ['monitor', 'light'],
    ['inbox', 'dark'],
    ['lookup', 'dark'],
    ['monitor', 'dark'],
  ])('passes the basic accessibility checks, contrast included, on the %s view in %s mode', (view, scheme) =>
    step(async () => {
      await session.page.emulateMedia({ colorScheme: scheme });
      try {
        await dashboard.open(view);
        // Wait for the view's first answer so its status text is on screen and checked too.
        if (view === 'inbox') await dashboard.inbox.status.getByText(/could not be loaded/).waitFor();
        if (view === 'monitor')
          await dashboard.monitor.status.getByText('No instances match the filter.').waitFor();
        expect(await accessibilityProblems(session.page)).toEqual([]);
      } finally {
        await session.page.emulateMedia({ colorScheme: null });
      }
    }),
  );

  it('has accessibility checks that catch unnamed controls, skipped headings, broken references and faint text', () =>
    step(async () => {
      // A blank page first: the dashboard's Content-Security-Policy would block the inline styles.
      await session.page.goto('about:blank');
      await session.page.setContent(
        '<html><head><title>t</title></head><body><main><h1>A</h1><h3>C</h3><input id="x"><input id="x"><button></button><p aria-describedby="nowhere">p</p><p style="color:#999;background:#fff">faint</p><p style="color:#767676">dark enough</p><p style="font-size:24px;color:#949494">large</p></main></body></html>',
      );
      expect((await accessibilityProblems(session.page)).sort()).toEqual(
        [
          'a button has no accessible name',
          'a textbox has no accessible name',
          'a textbox has no accessible name',
          'aria-describedby="nowhere" points at no element',
          'heading "C" jumps from level 1 to 3',
          'the id "x" is used twice',
          'the page has no lang attribute',
          'text "faint" has contrast 2.85:1, needs 4.5:1',
        ].sort(),
      );
    }));

  it('can be used with the keyboard alone: skip link, navigation, focus moves to the new view', () =>
    step(async () => {
      // The bare URL: a #fragment would move the keyboard's starting point to its section.
      await dashboard.openHome();
      await session.page.keyboard.press('Tab');
      expect(await session.page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      for (let i = 0; i < 3; i++) await session.page.keyboard.press('Tab');
      expect(await session.page.evaluate(() => document.activeElement?.textContent)).toBe('Orchestrations');
      await session.page.keyboard.press('Enter');
      await dashboard.viewHeading('monitor').waitFor({ state: 'visible' });
      expect(await session.page.evaluate(() => document.activeElement?.id)).toBe('monitor-title');
      expect(await dashboard.viewHeading('inbox').isVisible()).toBe(false);
    }));

  it('fits a phone-width screen without sideways scrolling', async () => {
    const narrow = await openBrowser({ viewport: { width: 360, height: 740 } });
    try {
      const page = new DashboardPage(narrow.page, host.baseUrl);
      await onFailureScreenshot(narrow.page, async () => {
        await page.signIn(EVERY_VIEW);
        for (const view of ['inbox', 'lookup', 'monitor'] as const) {
          await page.open(view);
          expect(await fitsViewportWidth(narrow.page)).toBe(true);
        }
        await screenshot(narrow.page, 'dashboard monitor narrow');
      });
    } finally {
      await narrow.close();
    }
  });

  it('checks ids before asking the API and shows the API refusal in words', () =>
    step(async () => {
      await dashboard.open('lookup');
      await dashboard.lookup.showTransfer('Not An Id');
      await session.page.getByText('The transfer id must be 3 to 64 lowercase letters').waitFor();
      expect(await session.page.getByLabel('Transfer id').getAttribute('aria-invalid')).toBe('true');

      await dashboard.lookup.showTransfer('t-unknown-1');
      await dashboard.lookup.transferResult.getByText(/Transfer t-unknown-1: Not Found \(404\)/).waitFor();
      // The Durable HTTP API is the host's own: an unknown instance is its 404.
      await dashboard.lookup.transferResult.getByText(/Orchestration t-unknown-1: .*\(404\)/).waitFor();
      expect(await session.page.getByLabel('Transfer id').getAttribute('aria-invalid')).toBeNull();
      expect(session.pageErrors).toEqual([]);
    }));

  it('lists orchestrations from the Durable HTTP API (none yet) and filters without errors', () =>
    step(async () => {
      await dashboard.open('monitor');
      await dashboard.monitor.status.getByText('No instances match the filter.').waitFor();
      await dashboard.monitor.filter({
        statuses: ['Running', 'Pending'],
        createdFrom: '2026-01-01T00:00',
        prefix: 't-',
      });
      await dashboard.monitor.status.getByText('No instances match the filter.').waitFor();
      expect(await dashboard.monitor.instanceIds()).toEqual([]);
      expect(scriptErrors(session)).toEqual([]);
      expect(session.pageErrors).toEqual([]);
    }));

  it('names who is signed in and their roles, with a way to sign out', () =>
    step(async () => {
      await dashboard.open('inbox');
      expect(await dashboard.signedInAs.textContent()).toBe('Signed in as Olga (approver, operator)');
      expect(await dashboard.sections()).toEqual([
        'Approvals inbox',
        'Transfers and accounts',
        'Orchestrations',
      ]);
      expect(
        await session.page.getByRole('link', { name: 'Sign out', exact: true }).getAttribute('href'),
      ).toBe('/.auth/logout?post_logout_redirect_uri=%2Fapi%2Fdashboard%2F');
      // No prompt while someone is signed in.
      expect(await dashboard.signInHeading.count()).toBe(0);
    }));

  it('answers a traversal attempt with a 404 problem, not a file', async () => {
    const response = await host.fetch('/api/dashboard/..%2F..%2Fpackage.json');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ code: 'not_found' });
  });

  it('redirects the bare dashboard URL to the folder URL', async () => {
    const response = await host.fetch('/api/dashboard', { redirect: 'manual' });
    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe('/api/dashboard/');
  });

  it.each([
    ['//api/dashboard', '/api/dashboard/'],
    ['///api/dashboard?pollMs=500', '/api/dashboard/?pollMs=500'],
  ])('redirects %s to a path on this origin, not to another host', async (target, location) => {
    // Raw HTTP: fetch would resolve `//api/...` against the base as a host name before sending it.
    const answer = await rawGet(host.baseUrl, target);
    expect(answer.status).toBe(308);
    expect(answer.location).toBe(location);
    expect(new URL(answer.location ?? '', host.baseUrl).origin).toBe(host.baseUrl);
  });
});

describe('signed out', () => {
  let out: BrowserSession;
  let page: DashboardPage;
  const outStep = <T>(fn: () => Promise<T>): Promise<T> =>
    onFailureScreenshot(out.page, fn, () => host.logs.entries.map((e) => `${e.level}: ${e.message}`));

  beforeAll(async () => {
    // A browser of its own: a fresh profile holds no session cookie.
    out = await openBrowser();
    page = new DashboardPage(out.page, host.baseUrl);
  });
  afterAll(() => out?.close());

  it('shows only the sign-in prompt, linking to the sign-in that comes back to this page', () =>
    outStep(async () => {
      await page.openSignedOut('lookup', { pollMs: 500 });
      expect(await out.page.title()).toBe('Sign in — Cardflow');
      await out.page.getByText('You are not signed in.').waitFor();
      expect(await page.signInLink.getAttribute('href')).toBe(
        `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent('/api/dashboard/?pollMs=500#lookup')}`,
      );
      // No view and no navigation until someone signs in.
      expect(await out.page.getByRole('navigation', { name: 'Sections' }).count()).toBe(0);
      for (const view of ['inbox', 'lookup', 'monitor'] as const)
        expect(await page.viewHeading(view).isVisible()).toBe(false);
      expect(await out.page.locator('#session').isVisible()).toBe(false);
      expect(scriptErrors(out)).toEqual([]);
      expect(out.pageErrors).toEqual([]);
    }));

  it.each(['light', 'dark'] as const)(
    'passes the basic accessibility checks, contrast included, on the sign-in prompt in %s mode',
    (scheme) =>
      outStep(async () => {
        await out.page.emulateMedia({ colorScheme: scheme });
        try {
          await page.openSignedOut();
          expect(await accessibilityProblems(out.page)).toEqual([]);
        } finally {
          await out.page.emulateMedia({ colorScheme: null });
        }
      }),
  );

  it('signs in through the link, lands on the view asked for, and signs out back to the prompt', () =>
    outStep(async () => {
      await page.openSignedOut('lookup');
      await page.signInLink.click();
      // The local host's stand-in for Entra ID's sign-in page.
      await out.page.waitForURL((url) => url.pathname === '/.auth/login/local');
      await out.page.locator(`button[data-user="${EVERY_VIEW}"]`).click();
      await page.viewHeading('lookup').waitFor();
      expect(new URL(out.page.url()).hash).toBe('#lookup');
      expect(await page.signedInAs.textContent()).toBe('Signed in as Olga (approver, operator)');
      const cookies = await out.context.cookies(host.baseUrl);
      expect(cookies.find((c) => c.name === 'AppServiceAuthSession')).toMatchObject({ httpOnly: true });

      await page.signOut();
      expect(new URL(out.page.url()).pathname).toBe('/api/dashboard/');
      await out.page.getByText('You are not signed in.').waitFor();
      expect((await out.context.cookies(host.baseUrl)).some((c) => c.name === 'AppServiceAuthSession')).toBe(
        false,
      );
    }));
});

/** GET with the request target sent exactly as given; resolves with the status and Location. */
function rawGet(baseUrl: string, target: string): Promise<{ status: number; location?: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: target, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end();
  });
}
