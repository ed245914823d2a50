/** Entry point: builds the API client and the three views, and switches views on the hash. */
import { createApi } from './api.js';
import { byId } from './dom.js';
import { InboxView } from './inbox.js';
import { LookupView } from './lookup.js';
import { MonitorView } from './monitor.js';
import { useReasonTexts } from './reasons.js';
import { parseRoute, readSettings, type ViewName } from './route.js';

const settings = readSettings(window.location.search);
const api = createApi({ durableQuery: settings.durableQuery });
const inbox = new InboxView(api, {
  pollMs: settings.pollMs,
  decision: { intervalMs: 400, timeoutMs: 30_000 },
});
const lookup = new LookupView(api);
const monitor = new MonitorView(api, Math.max(settings.pollMs, 1000));
const views: ViewName[] = ['inbox', 'lookup', 'monitor'];
let current: ViewName | undefined;

function route(): void {
  const { view, params } = parseRoute(window.location.hash);
  const changed = view !== current;
  for (const name of views) byId(name).hidden = name !== view;
  for (const link of Array.from(document.querySelectorAll<HTMLAnchorElement>('nav a[data-view]'))) {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (view === 'inbox') inbox.start();
  else inbox.stop();
  if (view === 'monitor') monitor.show();
  else monitor.hide();
  if (view === 'lookup' && params.transfer) void lookup.showTransfer(params.transfer);
  if (view === 'lookup' && params.account) void lookup.showAccount(params.account);
  if (view === 'monitor' && params.instance) void monitor.open(params.instance, true);
  // Move focus to the new view's heading so keyboard and screen-reader users land in it.
  if (changed && current !== undefined) byId(`${view}-title`).focus();
  current = view;
  document.title = `${byId(`${view}-title`).textContent ?? 'Cardflow'} — Cardflow`;
}

/** The app's words for reason codes; without them (an app without the API) codes are shown as is. */
async function loadReasonTexts(): Promise<void> {
  const waited = new Promise<void>((resolve) => setTimeout(resolve, 3000));
  await Promise.race([api.reasons().then(useReasonTexts, () => undefined), waited]);
}

void loadReasonTexts().then(() => {
  window.addEventListener('hashchange', route);
  route();
});
