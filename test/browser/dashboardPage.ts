/**
 * Page objects for the dashboard: what a person does (sign in, open the inbox, approve a transfer,
 * filter the orchestrations), in terms of roles and accessible names, so the tests also check that
 * the page can be used by them.
 */
import type { Locator, Page } from 'playwright-core';

export type View = 'inbox' | 'lookup' | 'monitor';

const VIEW_HEADINGS: Record<View, string> = {
  inbox: 'Approvals inbox',
  lookup: 'Transfers and accounts',
  monitor: 'Orchestrations',
};

export interface OpenOptions {
  /** The inbox poll interval (the page's `?pollMs=`); tests use a short one. */
  pollMs?: number;
  /** Extra hash parameters, e.g. `{transfer: 't-1'}` on the lookup view. */
  params?: Record<string, string>;
}

export class DashboardPage {
  readonly inbox: InboxPanel;
  readonly lookup: LookupPanel;
  readonly monitor: MonitorPanel;

  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    this.inbox = new InboxPanel(page);
    this.lookup = new LookupPanel(page);
    this.monitor = new MonitorPanel(page);
  }

  /** The dashboard URL on this host. */
  url(view: View = 'inbox', options: OpenOptions = {}): string {
    const query = options.pollMs ? `?pollMs=${options.pollMs}` : '';
    const params = options.params ? `?${new URLSearchParams(options.params)}` : '';
    return `${this.baseUrl}/api/dashboard/${query}#${view}${params}`;
  }

  /** Loads the page afresh (a hash-only change would not reload it) and waits for the view. */
  async open(view: View = 'inbox', options: OpenOptions = {}): Promise<void> {
    await this.page.goto('about:blank');
    await this.page.goto(this.url(view, options));
    await this.viewHeading(view).waitFor({ state: 'visible' });
  }

  /** Loads the bare dashboard URL (the first view offered, with no #fragment). */
  async openHome(view: View = 'inbox'): Promise<void> {
    await this.page.goto('about:blank');
    await this.page.goto(`${this.baseUrl}/api/dashboard/`);
    await this.viewHeading(view).waitFor({ state: 'visible' });
  }

  /** Loads the page while nobody is signed in: the sign-in prompt, and no view. */
  async openSignedOut(view: View = 'inbox', options: OpenOptions = {}): Promise<void> {
    await this.page.goto('about:blank');
    await this.page.goto(this.url(view, options));
    await this.signInHeading.waitFor({ state: 'visible' });
  }

  get signInHeading(): Locator {
    return this.page.getByRole('heading', { level: 2, name: 'Sign in', exact: true });
  }

  get signInLink(): Locator {
    return this.page.getByRole('main').getByRole('link', { name: 'Sign in', exact: true });
  }

  /** "Signed in as <name> (<roles>)" in the masthead. */
  get signedInAs(): Locator {
    return this.page.locator('#session-user');
  }

  /**
   * Signs in as a person does: the dashboard's "Sign in" link, the local host's user list (where
   * Entra ID's sign-in would be in Azure), a click on the user, and back on the dashboard with the
   * session cookie set. Signs out first if someone else is signed in.
   */
  async signIn(userId: string, view: View = 'inbox', options: OpenOptions = {}): Promise<void> {
    await this.page.goto('about:blank');
    await this.page.goto(this.url(view, options));
    // Either the masthead names someone or the prompt is shown, once /.auth/me has answered.
    await this.page.locator('#session:not([hidden]), #signin:not([hidden])').first().waitFor();
    if (await this.page.locator('#session').isVisible()) {
      await this.signOut();
      // Signing out lands on the bare dashboard; the sign-in link comes back to the page it is on.
      await this.openSignedOut(view, options);
    }
    await this.signInLink.click();
    await this.page.waitForURL((url) => url.pathname === '/.auth/login/local');
    await this.page.locator(`button[data-user="${userId}"]`).click();
    await this.page.waitForURL((url) => url.pathname === '/api/dashboard/');
    await this.signedInAs.getByText(/^Signed in as /).waitFor();
  }

  /** The masthead's "Sign out": back on the dashboard, at its sign-in prompt. */
  async signOut(): Promise<void> {
    await this.page.getByRole('link', { name: 'Sign out', exact: true }).click();
    await this.signInHeading.waitFor({ state: 'visible' });
  }

  /** The names of the navigation's links, in order. */
  async sections(): Promise<string[]> {
    return this.page.getByRole('navigation', { name: 'Sections' }).getByRole('link').allTextContents();
  }

  /** Switches view through the navigation, as a person would. */
  async navigate(view: View): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Sections' })
      .getByRole('link', { name: VIEW_HEADINGS[view] })
      .click();
    await this.viewHeading(view).waitFor({ state: 'visible' });
  }

  viewHeading(view: View): Locator {
    return this.page.getByRole('heading', { level: 2, name: VIEW_HEADINGS[view], exact: true });
  }

  /** The confirmation dialog's confirm button (its label names the action). */
  async confirm(label: string): Promise<void> {
    await this.page.getByRole('dialog').getByRole('button', { name: label, exact: true }).click();
  }
}

export class InboxPanel {
  constructor(private readonly page: Page) {}

  get status(): Locator {
    return this.page.locator('#inbox-status');
  }

  get activity(): Locator {
    return this.page.getByRole('log', { name: 'Recent activity' });
  }

  /** The card of one transfer (a list item holding an article named by its amount and id). */
  card(transferId: string): Locator {
    return this.page.locator(`#inbox-list > li[data-transfer-id="${transferId}"]`);
  }

  async waitForCard(transferId: string, timeout = 15_000): Promise<Locator> {
    const card = this.card(transferId);
    await card.waitFor({ state: 'visible', timeout });
    return card;
  }

  async waitForCardGone(transferId: string, timeout = 15_000): Promise<void> {
    await this.card(transferId).waitFor({ state: 'detached', timeout });
  }

  async decide(transferId: string, decision: 'Approve' | 'Reject', note?: string): Promise<void> {
    const card = await this.waitForCard(transferId);
    if (note !== undefined) await card.getByLabel('Note for the decision (optional)').fill(note);
    await card.getByRole('button', { name: `${decision} transfer ${transferId}` }).click();
  }

  /** The card's own status line (progress, refusal, outcome). */
  cardStatus(transferId: string): Locator {
    return this.card(transferId).locator('.card-status');
  }

  timeLeft(transferId: string): Locator {
    return this.card(transferId).locator('.time-left');
  }
}

export class LookupPanel {
  constructor(private readonly page: Page) {}

  async showTransfer(transferId: string): Promise<void> {
    await this.page.getByLabel('Transfer id').fill(transferId);
    await this.page.getByRole('button', { name: 'Show transfer' }).click();
  }

  async showAccount(accountId: string): Promise<void> {
    await this.page.getByLabel('Account id').fill(accountId);
    await this.page.getByRole('button', { name: 'Show account' }).click();
  }

  get transferResult(): Locator {
    return this.page.locator('#transfer-result');
  }

  get accountResult(): Locator {
    return this.page.locator('#account-result');
  }

  /** "1,234.56 credits" of the account shown. */
  available(): Locator {
    return this.accountResult.locator('[data-testid="available"]');
  }

  reserved(): Locator {
    return this.accountResult.locator('[data-testid="reserved"]');
  }

  /** The transfer's orchestration timeline entries (one line each). */
  timeline(): Locator {
    return this.transferResult.locator('ol.timeline > li');
  }

  /** The rows of the transfer's event stream table (version, event, when, what happened). */
  transferEvents(): Locator {
    return this.transferResult.locator('table.events tbody > tr');
  }

  /** The rows of the account's event stream table (inside its folded "Event stream" section). */
  accountEvents(): Locator {
    return this.accountResult.locator('table.events tbody > tr');
  }
}

/** The cells' text of each table row, row by row. */
export function rowTexts(rows: Locator): Promise<string[][]> {
  return rows.evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')),
  );
}

export interface InstanceFilterInput {
  statuses?: string[];
  /** `datetime-local` values, read as UTC by the page whatever the browser's zone. */
  createdFrom?: string;
  createdTo?: string;
  prefix?: string;
  pageSize?: 10 | 25 | 50 | 100;
}

export class MonitorPanel {
  constructor(private readonly page: Page) {}

  get status(): Locator {
    return this.page.locator('#instances-status');
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Orchestration instances' });
  }

  /** Instance ids in the table, in order. */
  async instanceIds(): Promise<string[]> {
    return this.table
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.instanceId ?? ''));
  }

  async filter(input: InstanceFilterInput): Promise<void> {
    const form = this.page.locator('#instance-filter');
    const group = form.getByRole('group', { name: 'Runtime status' });
    for (const box of await group.getByRole('checkbox').all()) await box.setChecked(false);
    for (const status of input.statuses ?? [])
      await group.getByRole('checkbox', { name: status, exact: true }).check();
    await form.getByLabel('Created from').fill(input.createdFrom ?? '');
    await form.getByLabel('Created to').fill(input.createdTo ?? '');
    await form.getByLabel('Instance id starts with').fill(input.prefix ?? '');
    if (input.pageSize) await form.getByLabel('Page size').selectOption(String(input.pageSize));
    await form.getByRole('button', { name: 'Apply filter' }).click();
  }

  async setAutoRefresh(on: boolean): Promise<void> {
    await this.page.getByLabel('Auto-refresh').setChecked(on);
  }

  async nextPage(): Promise<void> {
    await this.page.getByRole('button', { name: 'Next page' }).click();
  }

  async openInstance(instanceId: string): Promise<void> {
    await this.table.getByRole('button', { name: `Open instance ${instanceId}` }).click();
    await this.detailHeading(instanceId).waitFor({ state: 'visible' });
  }

  detailHeading(instanceId: string): Locator {
    return this.page.getByRole('heading', { name: `Instance ${instanceId}` });
  }

  get detail(): Locator {
    return this.page.locator('#instance-detail');
  }

  timeline(): Locator {
    return this.detail.locator('ol.timeline > li');
  }

  get operationStatus(): Locator {
    return this.page.locator('#instance-operation-status');
  }

  async raiseEvent(name: string, json: string): Promise<void> {
    await this.detail.getByLabel('Event name').fill(name);
    await this.detail.getByLabel('Event data (JSON)').fill(json);
    await this.detail.getByRole('button', { name: 'Raise event' }).click();
  }

  async terminate(reason: string): Promise<void> {
    const form = this.detail.locator('form', { has: this.page.getByRole('heading', { name: 'Terminate' }) });
    await form.getByLabel('Reason').fill(reason);
    await form.getByRole('button', { name: 'Terminate' }).click();
  }

  async rewind(reason: string): Promise<void> {
    const form = this.detail.locator('form', { has: this.page.getByRole('heading', { name: 'Rewind' }) });
    await form.getByLabel('Reason').fill(reason);
    await form.getByRole('button', { name: 'Rewind' }).click();
  }

  /** Suspend, Resume or Rewind, with the reason typed into its form. */
  async reasonOperation(title: 'Suspend' | 'Resume' | 'Rewind', reason: string): Promise<void> {
    const form = this.detail.locator('form', { has: this.page.getByRole('heading', { name: title }) });
    await form.getByLabel('Reason').fill(reason);
    await form.getByRole('button', { name: title }).click();
  }

  async purge(): Promise<void> {
    await this.detail.getByRole('button', { name: 'Purge' }).click();
  }
}
