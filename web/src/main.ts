/**
 * Entry point: asks who is signed in, then builds the views that person is offered (or the sign-in
 * prompt), and switches views on the hash.
 */
import { ApiError, createApi } from './api.js';
import { byId, h, setStatus } from './dom.js';
import { InboxView } from './inbox.js';
import { LookupView } from './lookup.js';
import { MonitorView } from './monitor.js';
import { describeProblem, useReasonTexts } from './reasons.js';
import { parseRoute, readSettings, type ViewName } from './route.js';
import { describeRoles, offerFor, offeredViews, signInUrl, SIGN_OUT_URL, type Session } from './session.js';
import { createTraceClient } from './trace.js';

const ALL_VIEWS: readonly ViewName[] = ['inbox', 'lookup', 'monitor'];
const settings = readSettings(window.location.search);
const api = createApi({ durableQuery: settings.durableQuery });
// The host's trace routes take the Durable API's key too (the master key, when keys are configured).
const traces = createTraceClient({ query: settings.durableQuery });

/** The app's words for reason codes; without them (an app without the API) codes are shown as is. */
async function loadReasonTexts(): Promise<void> {
  const waited = new Promise<void>((resolve) => setTimeout(resolve, 3000));
  await Promise.race([api.reasons().then(useReasonTexts, () => undefined), waited]);
}

/** Nobody is signed in (or sign-in could not be asked): the prompt, and no view at all. */
function showSignIn(why?: string): void {
  const { pathname, search, hash } = window.location;
  byId<HTMLAnchorElement>('sign-in').href = signInUrl(pathname, search, hash);
  const status = byId('session-status');
  if (why) setStatus(status, why, 'error');
  else setStatus(status, 'You are not signed in.');
  byId('signin').hidden = false;
  document.title = 'Sign in — Cardflow';
}

function showSession(session: Session): void {
  byId('session-user').replaceChildren(
    'Signed in as ',
    h('strong', {}, session.name),
    ' ',
    h('span', { class: 'roles' }, `(${describeRoles(session.roles)})`),
  );
  byId<HTMLAnchorElement>('sign-out').href = SIGN_OUT_URL;
  byId('session').hidden = false;
  // The status line was "Checking who is signed in…"; an empty one is not shown.
  setStatus(
    byId('session-status'),
    session.roles.length === 0
      ? 'Your account has no Cardflow role, so the API will refuse what you ask. Ask an operator for one.'
      : '',
  );
}

function start(session: Session): void {
  const offer = offerFor(session.roles);
  const views = offeredViews(offer);
  // Views not offered are removed, not hidden: nothing of them is in the page to reach.
  for (const name of ALL_VIEWS) {
    if (views.includes(name)) continue;
    byId(name).remove();
    document.querySelector(`nav a[data-view="${name}"]`)?.closest('li')?.remove();
  }
  byId('signin').remove();
  const nav = document.querySelector<HTMLElement>('nav[aria-label="Sections"]');
  if (nav) nav.hidden = false;

  const inbox =
    offer.inbox === 'none'
      ? undefined
      : new InboxView(api, {
          pollMs: settings.pollMs,
          decision: { intervalMs: 400, timeoutMs: 30_000 },
          session,
          mode: offer.inbox,
        });
  const lookup = new LookupView(api, offer.monitor, traces);
  const monitor = offer.monitor ? new MonitorView(api, Math.max(settings.pollMs, 1000), session) : undefined;
  let current: ViewName | undefined;

  function route(): void {
    const { view, params } = parseRoute(window.location.hash, views);
    const changed = view !== current;
    for (const name of views) byId(name).hidden = name !== view;
    for (const link of Array.from(document.querySelectorAll<HTMLAnchorElement>('nav a[data-view]'))) {
      if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    if (view === 'inbox') inbox?.start();
    else inbox?.stop();
    if (view === 'monitor') monitor?.show();
    else monitor?.hide();
    if (view === 'lookup' && params.transfer) void lookup.showTransfer(params.transfer);
    if (view === 'lookup' && params.account) void lookup.showAccount(params.account);
    if (view === 'monitor' && params.instance) void monitor?.open(params.instance, true);
    // Move focus to the new view's heading so keyboard and screen-reader users land in it.
    if (changed && current !== undefined) byId(`${view}-title`).focus();
    current = view;
    document.title = `${byId(`${view}-title`).textContent ?? 'Cardflow'} — Cardflow`;
  }

  window.addEventListener('hashchange', route);
  route();
}

async function main(): Promise<void> {
  let session: Session | undefined;
  try {
    session = await api.me();
  } catch (error) {
    const why = error instanceof ApiError ? describeProblem(error.problem) : String(error);
    showSignIn(`Could not ask who is signed in (${why}). Signing in may help.`);
    return;
  }
  if (!session) return showSignIn();
  showSession(session);
  await loadReasonTexts();
  start(session);
}

void main();
