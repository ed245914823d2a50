/**
 * The browser harness: Debian's Chromium driven by playwright-core, headless, sandbox-free (it runs
 * as root in CI), with background networking off and a fresh profile per session. Console and page
 * errors are collected so tests can assert the page ran cleanly; a failing step leaves a screenshot
 * (and, when given, the host's log) in test-results/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags CI uses; playwright adds its own automation flags (pipe transport, headless). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const RESULTS_DIR = path.resolve(__dirname, '..', '..', 'test-results');

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** `console.error` messages and failed resource loads, as Chromium reported them. */
  consoleErrors: string[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  close(): Promise<void>;
}

export interface SessionOptions {
  viewport?: { width: number; height: number };
  /** The browser's time zone (IANA); UTC unless a test checks the page does not depend on it. */
  timezoneId?: string;
}

/**
 * Launches Chromium with a fresh --user-data-dir (playwright's `launchPersistentContext` is how
 * it accepts one) and opens one page.
 */
export async function openBrowser(options: SessionOptions = {}): Promise<BrowserSession> {
  const profile = mkdtempSync(path.join(tmpdir(), 'cardflow-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    timezoneId: options.timezoneId ?? 'UTC',
    locale: 'en-GB',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
  return {
    context,
    page,
    consoleErrors,
    pageErrors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A file name from a test name: lowercase words joined by dashes. */
export function screenshotName(name: string): string {
  return `${name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}.png`;
}

/** Saves a full-page screenshot under test-results/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, screenshotName(name));
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Runs a browser step; when it throws, saves a screenshot named after the test (from jest's
 * `expect.getState()`) and rethrows with the screenshot's path appended.
 */
export async function onFailureScreenshot<T>(
  page: Page,
  step: () => Promise<T>,
  hostLog?: () => string[],
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const name = expect.getState().currentTestName ?? 'browser-failure';
    let where = '';
    try {
      where = await screenshot(page, `failed ${name}`);
      if (hostLog) {
        // The host's side of the story, next to the picture.
        const logFile = where.replace(/\.png$/, '.host.log');
        writeFileSync(logFile, `${hostLog().join('\n')}\n`);
        where += `, host log: ${logFile}`;
      }
    } catch (shotError) {
      where = `no screenshot: ${(shotError as Error).message}`;
    }
    if (error instanceof Error) error.message += `\n(screenshot: ${where})`;
    throw error;
  }
}

/** Console errors other than failed resource loads (a 404 the page reports in words is expected). */
export function scriptErrors(session: BrowserSession): string[] {
  return session.consoleErrors.filter((message) => !message.startsWith('Failed to load resource'));
}

/**
 * Holds back the browser's next request matching `matches` until `release()`: a slow answer that
 * arrives after a newer one. `arrived` settles when the request was made, `handled` once the late
 * answer has reached the page and the page has had a turn of its event loop to act on it.
 */
export async function holdNextRequest(page: Page, matches: (url: URL) => boolean) {
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  let onArrival = (): void => undefined;
  const arrived = new Promise<void>((resolve) => (onArrival = resolve));
  await page.route(
    (url) => matches(url),
    async (route) => {
      onArrival();
      await held;
      await route.continue();
    },
    { times: 1 },
  );
  const late = page.waitForResponse((response) => matches(new URL(response.url())));
  // A test that fails before `handled()` must not also leave an unhandled rejection behind.
  late.catch(() => undefined);
  return {
    arrived,
    release,
    handled: async (): Promise<void> => {
      await (await late).finished();
      await page.evaluate(
        () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))),
      );
    },
  };
}
