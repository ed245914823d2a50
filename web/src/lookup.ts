/**
 * Transfers and accounts: a transfer's read model, its event stream and (for operators) its
 * orchestration (status, custom status, history timeline), and an account's balances with its
 * statement and event stream. The API decides what the caller may read; its refusals are shown.
 */
import { ApiError, type CardflowApi } from './api.js';
import { idProblem, type EventStream, type StatementEntry } from './contracts.js';
import { byId, facts, h, instantElement, setFieldError } from './dom.js';
import { eventLines } from './eventStream.js';
import { renderInstance } from './instanceView.js';
import { formatCents, formatSignedCents } from './money.js';
import { describeProblem, describeReason } from './reasons.js';
import { statementLine } from './statement.js';
import type { TraceClient } from './trace.js';
import { traceSection } from './traceView.js';

function errorText(error: unknown): string {
  if (error instanceof ApiError) return describeProblem(error.problem);
  return error instanceof Error ? error.message : String(error);
}

function errorBox(message: string): HTMLElement {
  return h('p', { class: 'status error' }, message);
}

export class LookupView {
  private readonly transferForm = byId<HTMLFormElement>('transfer-form');
  private readonly transferInput = byId<HTMLInputElement>('transfer-id');
  private readonly transferError = byId('transfer-id-error');
  private readonly transferResult = byId('transfer-result');
  private readonly accountForm = byId<HTMLFormElement>('account-form');
  private readonly accountInput = byId<HTMLInputElement>('account-id');
  private readonly accountError = byId('account-id-error');
  private readonly accountResult = byId('account-result');
  /** Numbers of the latest look-ups: an answer that arrives after a newer look-up's is dropped. */
  private transferRequest = 0;
  private accountRequest = 0;

  /**
   * `orchestrations`: whether to show each transfer's orchestration from the Durable HTTP API,
   * which has no per-caller rule of its own, so only operators are shown it; for the same reason
   * only they are shown its trace, from the host's `/runtime/traces` (`traces`).
   */
  constructor(
    private readonly api: CardflowApi,
    private readonly orchestrations: boolean,
    private readonly traces?: TraceClient,
  ) {
    this.transferForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.showTransfer(this.transferInput.value.trim());
    });
    this.accountForm.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.showAccount(this.accountInput.value.trim());
    });
  }

  async showTransfer(transferId: string): Promise<void> {
    this.transferInput.value = transferId;
    const problem = idProblem('transfer id', transferId);
    setFieldError(this.transferInput, this.transferError, problem);
    if (problem) {
      this.transferInput.focus();
      return;
    }
    const request = ++this.transferRequest;
    this.transferResult.replaceChildren(h('p', { class: 'status' }, `Loading transfer ${transferId}…`));
    // The trace section fills itself in, asking the host alongside the calls below.
    const trace = this.orchestrations && this.traces ? traceSection(this.traces, transferId) : undefined;
    const [transfer, events, instance] = await Promise.allSettled([
      this.api.transfer(transferId),
      this.api.transferEvents(transferId),
      this.orchestrations ? this.api.instance(transferId, { showHistory: true }) : undefined,
    ]);
    if (request !== this.transferRequest) return;
    const parts: HTMLElement[] = [];
    if (transfer.status === 'fulfilled') {
      const t = transfer.value;
      parts.push(
        h('h4', {}, `Transfer ${t.transferId}`),
        facts([
          ['Status', t.status.replace(/_/g, ' ')],
          ['Amount', `${formatCents(t.amount)} credits`],
          [
            'From',
            h(
              'a',
              { href: `#lookup?account=${encodeURIComponent(t.fromAccountId)}`, class: 'mono' },
              t.fromAccountId,
            ),
          ],
          [
            'To',
            h(
              'a',
              { href: `#lookup?account=${encodeURIComponent(t.toAccountId)}`, class: 'mono' },
              t.toAccountId,
            ),
          ],
          ['Requested by', t.requestedBy],
          ['Requested', t.requestedAt ? instantElement(t.requestedAt) : undefined],
          [
            'Needed approval for',
            t.approvalReason === 'amount'
              ? 'its amount'
              : t.approvalReason === 'velocity'
                ? 'the 24-hour outflow'
                : t.approvalReason,
          ],
          ['Reason', t.reason ? `${describeReason(t.reason)} (${t.reason})` : undefined],
          ['Approver', t.approver],
          ['Deadline', t.deadline ? instantElement(t.deadline) : undefined],
          ['Note', t.note],
        ]),
      );
    } else {
      parts.push(errorBox(`Transfer ${transferId}: ${errorText(transfer.reason)}`));
    }
    // The stream may exist before its read model catches up, so it is shown whenever it is there.
    if (events.status === 'fulfilled') {
      parts.push(h('h4', { id: 'transfer-events-title' }, 'Event stream'), eventStreamTable(events.value));
    } else if (transfer.status === 'fulfilled') {
      parts.push(errorBox(`Event stream: ${errorText(events.reason)}`));
    }
    if (!this.orchestrations) {
      this.transferResult.replaceChildren(...parts);
      return;
    }
    parts.push(h('h4', { id: 'transfer-orchestration-title' }, 'Orchestration'));
    if (instance.status === 'fulfilled' && instance.value) {
      parts.push(
        ...renderInstance(instance.value, 'transfer-orchestration', 'h4'),
        h(
          'p',
          {},
          h(
            'a',
            { href: `#monitor?instance=${encodeURIComponent(transferId)}` },
            'Manage this orchestration in the monitor',
          ),
        ),
      );
    } else if (instance.status === 'rejected') {
      parts.push(errorBox(`Orchestration ${transferId}: ${errorText(instance.reason)}`));
    }
    if (trace) parts.push(trace);
    this.transferResult.replaceChildren(...parts);
  }

  async showAccount(accountId: string): Promise<void> {
    this.accountInput.value = accountId;
    const problem = idProblem('account id', accountId);
    setFieldError(this.accountInput, this.accountError, problem);
    if (problem) {
      this.accountInput.focus();
      return;
    }
    const request = ++this.accountRequest;
    this.accountResult.replaceChildren(h('p', { class: 'status' }, `Loading account ${accountId}…`));
    const [account, statement, events] = await Promise.allSettled([
      this.api.account(accountId),
      this.api.statement(accountId),
      this.api.accountEvents(accountId),
    ]);
    if (request !== this.accountRequest) return;
    const parts: HTMLElement[] = [];
    if (account.status === 'fulfilled') {
      const a = account.value;
      parts.push(
        h('h4', {}, `Account ${a.accountId}`),
        facts([
          ['Owner', `${a.ownerName} (${a.ownerId})`],
          ['Kind', a.kind],
          ['Status', a.status],
          ['Available', h('span', { 'data-testid': 'available' }, `${formatCents(a.available)} credits`)],
          ['Reserved', h('span', { 'data-testid': 'reserved' }, `${formatCents(a.reserved)} credits`)],
          ['Version', String(a.version)],
        ]),
      );
    } else {
      parts.push(errorBox(`Account ${accountId}: ${errorText(account.reason)}`));
    }
    if (statement.status === 'fulfilled') parts.push(statementTable(statement.value));
    else if (account.status === 'fulfilled')
      parts.push(errorBox(`Statement: ${errorText(statement.reason)}`));
    // An account's stream grows with every load and transfer: folded away until asked for.
    if (events.status === 'fulfilled') {
      parts.push(
        h(
          'details',
          { class: 'event-stream' },
          h('summary', {}, `Event stream (${events.value.events.length} events)`),
          eventStreamTable(events.value),
        ),
      );
    } else if (account.status === 'fulfilled') {
      parts.push(errorBox(`Event stream: ${errorText(events.reason)}`));
    }
    this.accountResult.replaceChildren(...parts);
  }
}

/**
 * The statement: each entry's name in words, its amount signed (debits negative) with a load's fee
 * under it, and the available balance after it. Four columns that fit a phone's width: the time
 * and the transfer sit under the entry's name.
 */
function statementTable(entries: StatementEntry[]): HTMLElement {
  if (entries.length === 0) return h('p', { class: 'hint' }, 'No statement entries yet.');
  const body = h('tbody');
  for (const line of entries.map(statementLine)) {
    body.append(
      h(
        'tr',
        {},
        h('td', { class: 'when' }, instantElement(line.at)),
        h(
          'td',
          { class: 'entry' },
          h('span', { class: 'entry-name' }, line.label),
          // The time again, shown under the name where the When column is left out (phones).
          h('span', { class: 'entry-note entry-when' }, instantElement(line.at)),
          line.note ? h('span', { class: 'entry-note' }, line.note) : null,
          line.transferId
            ? h(
                'span',
                { class: 'entry-note' },
                'transfer ',
                h(
                  'a',
                  { href: `#lookup?transfer=${encodeURIComponent(line.transferId)}`, class: 'mono' },
                  line.transferId,
                ),
              )
            : null,
        ),
        h(
          'td',
          { class: 'num amount' },
          h('span', { class: line.amount < 0 ? 'debit' : 'credit' }, formatSignedCents(line.amount)),
          line.fee === undefined
            ? null
            : h('span', { class: 'entry-note' }, `fee ${formatSignedCents(line.fee)}`),
        ),
        h('td', { class: 'num balance' }, formatCents(line.balanceAfter)),
      ),
    );
  }
  const head = h(
    'thead',
    {},
    h(
      'tr',
      {},
      h('th', { scope: 'col', class: 'when' }, 'When'),
      h('th', { scope: 'col' }, 'Entry'),
      h('th', { scope: 'col', class: 'num' }, 'Amount'),
      h('th', { scope: 'col', class: 'num' }, 'Balance after'),
    ),
  );
  return h(
    'div',
    { class: 'table-wrap statement' },
    h(
      'table',
      {},
      h('caption', {}, 'Statement', h('span', { class: 'hint caption-hint' }, STATEMENT_HINT)),
      head,
      body,
    ),
  );
}

/** How to read the statement, under its caption. */
const STATEMENT_HINT =
  'Debits are negative. Balance after is the available balance: a transfer takes its amount out when it is reserved, so its transfer out, paid from the reservation, leaves it unchanged.';

/** The stream's events as a table: version, type, when, and what happened in words. */
function eventStreamTable(stream: EventStream): HTMLElement {
  const lines = eventLines(stream);
  if (lines.length === 0) return h('p', { class: 'hint' }, `No events in ${stream.streamId}.`);
  const body = h('tbody');
  for (const line of lines) {
    body.append(
      h(
        'tr',
        {},
        h('td', { class: 'num' }, String(line.version)),
        h('td', { class: 'mono' }, ...breakableType(line.type)),
        h('td', {}, line.at ? instantElement(line.at) : ''),
        h('td', {}, line.summary),
      ),
    );
  }
  const head = h(
    'thead',
    {},
    h(
      'tr',
      {},
      h('th', { scope: 'col', class: 'num' }, 'Version'),
      ...['Event', 'When', 'What happened'].map((label) => h('th', { scope: 'col' }, label)),
    ),
  );
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'events' },
      h('caption', {}, `Events of ${stream.streamId}, version ${stream.version}`),
      head,
      body,
    ),
  );
}

/** `TransferApprovalRequested` with line-break opportunities between its words, not inside them. */
function breakableType(type: string): Array<Node | string> {
  return type.split(/(?=[A-Z][a-z])/).flatMap((word, i) => (i === 0 ? [word] : [h('wbr'), word]));
}
