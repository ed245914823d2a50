/**
 * The orchestrations monitor: instance list with status, time-range and prefix filters, paging by
 * continuation token, auto-refresh, and one instance's detail with its management operations.
 */
import { ApiError, type CardflowApi, type InstanceFilter } from './api.js';
import { RUNTIME_STATUSES, type InstanceStatus } from './contracts.js';
import { byId, h, pretty, setStatus } from './dom.js';
import { renderInstance, renderOperations } from './instanceView.js';
import { describeProblem } from './reasons.js';
import { formatInstant, localInputToIso } from './time.js';

function errorText(error: unknown): string {
  if (error instanceof ApiError) return describeProblem(error.problem);
  return error instanceof Error ? error.message : String(error);
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
  /** Tokens that opened each page after the first; the current page is `tokens.length + 1`. */
  private tokens: string[] = [];
  private nextToken: string | undefined;
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
      this.tokens = [];
      void this.load();
    });
    this.firstPage.addEventListener('click', () => {
      this.tokens = [];
      void this.load();
    });
    this.nextPage.addEventListener('click', () => {
      if (!this.nextToken) return;
      this.tokens.push(this.nextToken);
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
    const from = localInputToIso(this.createdFrom.value);
    const to = localInputToIso(this.createdTo.value);
    const prefix = this.prefix.value.trim();
    return {
      ...(statuses.length > 0 ? { runtimeStatus: statuses } : {}),
      ...(from ? { createdTimeFrom: from } : {}),
      ...(to ? { createdTimeTo: to } : {}),
      ...(prefix ? { instanceIdPrefix: prefix } : {}),
      top: Number(this.pageSize.value),
    };
  }

  /** Loads the current page; `quiet` (auto-refresh) leaves the status line alone unless it fails. */
  async load(quiet = false): Promise<void> {
    const request = ++this.listRequest;
    if (!quiet) setStatus(this.status, 'Loading instances…');
    try {
      const page = await this.api.listInstances(this.filter, this.tokens[this.tokens.length - 1]);
      if (request !== this.listRequest) return;
      this.nextToken = page.continuationToken;
      this.renderRows(page.instances);
      const n = page.instances.length;
      const pageNo = this.tokens.length + 1;
      this.pageLabel.textContent = `Page ${pageNo}`;
      this.firstPage.disabled = pageNo === 1;
      this.nextPage.disabled = !this.nextToken;
      if (!quiet)
        setStatus(
          this.status,
          n === 0
            ? 'No instances match the filter.'
            : `Showing ${n} instance${n === 1 ? '' : 's'} on page ${pageNo}${this.nextToken ? '; more on the next page' : ''}.`,
        );
    } catch (error) {
      if (request !== this.listRequest) return;
      setStatus(this.status, `The instances could not be listed: ${errorText(error)}`, 'error');
    }
  }

  private renderRows(instances: InstanceStatus[]): void {
    const rows = instances.map((instance) => {
      const open = h(
        'button',
        { type: 'button', class: 'link', 'aria-label': `Open instance ${instance.instanceId}` },
        instance.instanceId,
      );
      open.addEventListener('click', () => void this.open(instance.instanceId, true));
      return h(
        'tr',
        { 'data-instance-id': instance.instanceId },
        h('td', {}, open),
        h('td', {}, instance.name),
        h('td', {}, h('span', { class: `runtime-status ${instance.runtimeStatus}` }, instance.runtimeStatus)),
        h('td', {}, h('code', {}, pretty(instance.customStatus))),
        h('td', {}, formatInstant(instance.createdTime)),
        h('td', {}, formatInstant(instance.lastUpdatedTime)),
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

  /** Shows one instance with its history; `focus` moves the keyboard to the detail heading. */
  async open(instanceId: string, focus: boolean): Promise<void> {
    this.openInstanceId = instanceId;
    const request = ++this.detailRequest;
    const titleId = 'instance-detail-title';
    const statusLine =
      this.detail.querySelector<HTMLElement>('#instance-operation-status') ??
      h('p', { id: 'instance-operation-status', class: 'status', role: 'status' });
    try {
      const instance = await this.api.instance(instanceId, { showHistory: true });
      if (request !== this.detailRequest) return;
      // An open form keeps its typed values: only a different instance rebuilds the operations.
      const sameInstance = this.detail.dataset.instanceId === instanceId && !this.detail.hidden;
      const operations = sameInstance ? this.detail.querySelector('.operations') : null;
      this.detail.dataset.instanceId = instanceId;
      this.detail.replaceChildren(
        h('h3', { id: titleId, tabindex: -1 }, `Instance ${instanceId}`),
        ...renderInstance(instance, 'instance-detail', 'h4'),
        h('h4', {}, 'Operations'),
        operations ??
          renderOperations({
            api: this.api,
            instanceId,
            idPrefix: 'instance-op',
            statusLine,
            changed: () => {
              void this.open(instanceId, false);
              void this.load(true);
            },
            purged: () => {
              this.openInstanceId = undefined;
              this.detailRequest++; // a refresh of the purged instance still on its way is moot

              void this.load(true);
            },
          }),
        statusLine,
      );
      if (!sameInstance) setStatus(statusLine, '');
    } catch (error) {
      if (request !== this.detailRequest) return;
      this.detail.replaceChildren(
        h('h3', { id: titleId, tabindex: -1 }, `Instance ${instanceId}`),
        statusLine,
      );
      setStatus(statusLine, `The instance could not be loaded: ${errorText(error)}`, 'error');
    }
    this.detail.setAttribute('aria-labelledby', titleId);
    this.detail.hidden = false;
    if (focus) byId(titleId).focus();
  }
}
