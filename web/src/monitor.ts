/**
 * The orchestrations monitor: instance list (newest first) with status, time-range and prefix
 * filters, paging, auto-refresh, and the selected instance's detail at the top of the view with
 * the operations its status allows.
 */
import { ApiError, type CardflowApi, type InstanceFilter } from './api.js';
import { RUNTIME_STATUSES, type InstanceStatus } from './contracts.js';
import { summariseCustomStatus } from './customStatus.js';
import { byId, h, instantElement, setStatus } from './dom.js';
import { FETCH_PAGE_SIZE, MAX_LISTED, newestFirst, pageOf } from './instanceList.js';
import { renderInstance } from './instanceView.js';
import { renderOperations } from './operations.js';
import { describeProblem } from './reasons.js';
import type { Session } from './session.js';
import { transferState } from './transferInstance.js';
import { utcInputToIso } from './time.js';

function errorText(error: unknown): string {
  if (error instanceof ApiError) return describeProblem(error.problem);
  return error instanceof Error ? error.message : String(error);
}

/** What decides which operations are shown: a change rebuilds them, anything else keeps typed values. */
function operationsKey(instance: InstanceStatus): string {
  return [instance.instanceId, instance.runtimeStatus, transferState(instance) ?? ''].join('|');
}

export class MonitorView {
  private readonly form = byId<HTMLFormElement>('instance-filter');
  private readonly checks = byId('status-checks');
  private readonly createdFrom = byId<HTMLInputElement>('created-from');
  private readonly createdTo = byId<HTMLInputElement>('created-to');
  private readonly prefix = byId<HTMLInputElement>('instance-prefix');
  private readonly pageSize = byId<HTMLSelectElement>('page-size');
  private readonly autoRefresh = byId<HTMLInputElement>('auto-refresh');
  private readonly status = byId('instances-status');
  private readonly rows = byId<HTMLTableElement>('instances-table').tBodies[0];
  private readonly firstPage = byId<HTMLButtonElement>('first-page');
  private readonly nextPage = byId<HTMLButtonElement>('next-page');
  private readonly pageLabel = byId('page-label');
  private readonly detail = byId('instance-detail');
  private page = 1;
  private hasNext = false;
  private filter: InstanceFilter = {};
  private openInstanceId: string | undefined;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  private visible = false;
  /**
   * Numbers of the latest list and detail requests: filters, pages, clicks and auto-refresh overlap,
   * and an answer that arrives after a newer request's is dropped rather than shown.
   */
  private listRequest = 0;
  private detailRequest = 0;

  constructor(
    private readonly api: CardflowApi,
    private readonly refreshMs: number,
    private readonly session: Session,
  ) {
    for (const status of RUNTIME_STATUSES) {
      const id = `status-${status}`;
      this.checks.append(
        h(
          'label',
          { class: 'check', for: id },
          h('input', { type: 'checkbox', id, name: 'runtimeStatus', value: status }),
          status,
        ),
      );
    }
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.filter = this.readFilter();
      this.page = 1;
      void this.load();
    });
    this.firstPage.addEventListener('click', () => {
      this.page = 1;
      void this.load();
    });
    this.nextPage.addEventListener('click', () => {
      if (!this.hasNext) return;
      this.page++;
      void this.load();
    });
    this.autoRefresh.addEventListener('change', () => this.armRefresh());
    this.filter = this.readFilter();
  }

  show(): void {
    this.visible = true;
    void this.load();
    this.armRefresh();
  }

  hide(): void {
    this.visible = false;
    this.armRefresh();
  }

  private armRefresh(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = undefined;
    if (this.visible && this.autoRefresh.checked) {
      this.refreshTimer = setInterval(() => {
        void this.load(true);
        if (this.openInstanceId) void this.open(this.openInstanceId, false);
      }, this.refreshMs);
    }
  }

  private readFilter(): InstanceFilter {
    const statuses = Array.from(this.checks.querySelectorAll<HTMLInputElement>('input:checked')).map(
      (input) => input.value,
    );
    // Typed in UTC, the zone every time on the page is shown in (the labels say so).
    const from = utcInputToIso(this.createdFrom.value);
    const to = utcInputToIso(this.createdTo.value);
    const prefix = this.prefix.value.trim();
    return {
      ...(statuses.length > 0 ? { runtimeStatus: statuses } : {}),
      ...(from ? { createdTimeFrom: from } : {}),
      ...(to ? { createdTimeTo: to } : {}),
      ...(prefix ? { instanceIdPrefix: prefix } : {}),
      top: FETCH_PAGE_SIZE,
    };
  }

  /** Every instance of the filter (up to MAX_LISTED), following the continuation tokens. */
  private async listAll(): Promise<{ instances: InstanceStatus[]; capped: boolean }> {
    const instances: InstanceStatus[] = [];
    let token: string | undefined;
    do {
      const page = await this.api.listInstances(this.filter, token);
      instances.push(...page.instances);
      token = page.continuationToken;
    } while (token && instances.length < MAX_LISTED);
    return { instances: instances.slice(0, MAX_LISTED), capped: token !== undefined };
  }

  /** Loads the list; `quiet` (auto-refresh) leaves the status line alone unless it fails. */
  async load(quiet = false): Promise<void> {
    const request = ++this.listRequest;
    if (!quiet) setStatus(this.status, 'Loading instances…');
    try {
      const { instances, capped } = await this.listAll();
      if (request !== this.listRequest) return;
      const shown = pageOf(newestFirst(instances), this.page, Number(this.pageSize.value));
      this.page = shown.page;
      this.hasNext = shown.hasNext;
      this.renderRows(shown.instances);
      const n = shown.instances.length;
      this.pageLabel.textContent = `Page ${shown.page} of ${shown.pages}`;
      this.firstPage.disabled = shown.page === 1;
      this.nextPage.disabled = !shown.hasNext;
      const more = capped
        ? ` More than ${MAX_LISTED} instances match: narrow the filter (created time, status) to see the rest.`
        : '';
      if (!quiet || capped)
        setStatus(
          this.status,
          n === 0
            ? 'No instances match the filter.'
            : `Showing ${n} instance${n === 1 ? '' : 's'} on page ${shown.page}${shown.hasNext ? '; more on the next page' : ''}.${more}`,
        );
    } catch (error) {
      if (request !== this.listRequest) return;
      setStatus(this.status, `The instances could not be listed: ${errorText(error)}`, 'error');
    }
  }

  private renderRows(instances: InstanceStatus[]): void {
    const rows = instances.map((instance) => {
      const selected = instance.instanceId === this.openInstanceId;
      const open = h(
        'button',
        { type: 'button', class: 'link', 'aria-label': `Open instance ${instance.instanceId}` },
        instance.instanceId,
      );
      open.addEventListener('click', () => {
        showInUrl(instance.instanceId);
        void this.open(instance.instanceId, true);
      });
      return h(
        'tr',
        {
          'data-instance-id': instance.instanceId,
          class: selected ? 'selected' : undefined,
          'aria-current': selected ? 'true' : undefined,
        },
        h('td', {}, open),
        h('td', {}, instance.name),
        h('td', {}, h('span', { class: `runtime-status ${instance.runtimeStatus}` }, instance.runtimeStatus)),
        h('td', { class: 'custom-status' }, summariseCustomStatus(instance.customStatus)),
        h('td', {}, instantElement(instance.createdTime)),
        h('td', {}, instantElement(instance.lastUpdatedTime)),
      );
    });
    // Keep the focused row's button focused across an auto-refresh.
    const focusedId = (document.activeElement?.closest('tr') as HTMLElement | null)?.dataset.instanceId;
    this.rows.replaceChildren(...rows);
    if (focusedId)
      this.rows
        .querySelector<HTMLButtonElement>(`tr[data-instance-id="${CSS.escape(focusedId)}"] button`)
        ?.focus();
  }

  private markSelected(): void {
    for (const row of Array.from(this.rows.rows)) {
      const selected = row.dataset.instanceId === this.openInstanceId;
      row.classList.toggle('selected', selected);
      if (selected) row.setAttribute('aria-current', 'true');
      else row.removeAttribute('aria-current');
    }
  }

  /** Closes the detail and gives the keyboard back to the instance's row. */
  private close(): void {
    showInUrl(undefined);
    const id = this.openInstanceId;
    this.openInstanceId = undefined;
    this.detailRequest++;
    this.detail.hidden = true;
    this.detail.replaceChildren();
    delete this.detail.dataset.instanceId;
    this.markSelected();
    const row = id
      ? this.rows.querySelector<HTMLButtonElement>(`tr[data-instance-id="${CSS.escape(id)}"] button`)
      : null;
    (row ?? byId('monitor-title')).focus();
  }

  /**
   * Shows one instance with its history at the top of the view; `focus` moves the keyboard to the
   * detail heading and scrolls it into view.
   */
  async open(instanceId: string, focus: boolean): Promise<void> {
    this.openInstanceId = instanceId;
    this.markSelected();
    const request = ++this.detailRequest;
    const titleId = 'instance-detail-title';
    const statusLine =
      this.detail.querySelector<HTMLElement>('#instance-operation-status') ??
      h('p', { id: 'instance-operation-status', class: 'status', role: 'status' });
    const closeButton = h('button', { type: 'button', class: 'close' }, 'Back to the list');
    closeButton.addEventListener('click', () => this.close());
    const header = (): HTMLElement =>
      h(
        'div',
        { class: 'detail-header' },
        h('h3', { id: titleId, tabindex: -1 }, `Instance ${instanceId}`),
        closeButton,
      );
    try {
      const instance = await this.api.instance(instanceId, { showHistory: true });
      if (request !== this.detailRequest) return;
      // An open form keeps its typed values while the operations that apply stay the same.
      const key = operationsKey(instance);
      const same = this.detail.dataset.operationsKey === key && !this.detail.hidden;
      const sameInstance = this.detail.dataset.instanceId === instanceId && !this.detail.hidden;
      const operations = same ? this.detail.querySelector('.operations-block') : null;
      this.detail.dataset.instanceId = instanceId;
      this.detail.dataset.operationsKey = key;
      this.detail.replaceChildren(
        header(),
        ...renderInstance(instance, 'instance-detail', 'h4'),
        h('h4', {}, 'Operations'),
        operations ??
          h(
            'div',
            { class: 'operations-block' },
            renderOperations({
              api: this.api,
              instance,
              session: this.session,
              idPrefix: 'instance-op',
              statusLine,
              follow: { intervalMs: 300, timeoutMs: 15_000 },
              changed: () => {
                void this.open(instanceId, false);
                void this.load(true);
              },
              purged: () => {
                showInUrl(undefined);
                this.openInstanceId = undefined;
                this.detailRequest++; // a refresh of the purged instance still on its way is moot
                void this.load(true);
              },
            }),
          ),
        statusLine,
      );
      if (!sameInstance) setStatus(statusLine, '');
    } catch (error) {
      if (request !== this.detailRequest) return;
      delete this.detail.dataset.operationsKey;
      this.detail.replaceChildren(header(), statusLine);
      setStatus(statusLine, `The instance could not be loaded: ${errorText(error)}`, 'error');
    }
    this.detail.setAttribute('aria-labelledby', titleId);
    this.detail.hidden = false;
    if (focus) {
      this.detail.scrollIntoView({ block: 'start' });
      byId(titleId).focus({ preventScroll: true });
    }
  }
}

/**
 * Keeps the location in step with the instance shown (`#monitor?instance={id}`, or `#monitor`), so
 * the address can be copied or reloaded. Replaced, not pushed, and without a `hashchange`: the view
 * is already showing it.
 */
function showInUrl(instanceId: string | undefined): void {
  if (!window.location.hash.startsWith('#monitor')) return;
  const hash = instanceId === undefined ? '#monitor' : `#monitor?instance=${encodeURIComponent(instanceId)}`;
  if (window.location.hash !== hash) history.replaceState(history.state, '', hash);
}
