/**
 * The approvals inbox: polls the pending approvals, keeps one card per transfer (added and removed
 * by id so typing and focus survive a refresh), ticks the time left on the server's clock, and, for
 * an approver, sends decisions as the signed-in caller, reporting what the system did or why it
 * refused. Operators see the same cards without the decision form.
 */
import { ApiError, type CardflowApi, type Decision } from './api.js';
import type { PendingApproval } from './contracts.js';
import { decideAndFollow, type DecisionTiming } from './decision.js';
import { byId, h, instantElement, setStatus } from './dom.js';
import { diffInbox, inboxOrder, REASON_LABELS } from './inboxModel.js';
import { formatCents } from './money.js';
import { describeProblem, describeReason } from './reasons.js';
import type { Session } from './session.js';
import { clockSkew, timeLeft } from './time.js';

interface Card {
  item: PendingApproval;
  element: HTMLLIElement;
  timeLeft: HTMLElement;
  status: HTMLElement;
  buttons: HTMLButtonElement[];
  note?: HTMLTextAreaElement;
  busy: boolean;
}

export interface InboxOptions {
  pollMs: number;
  decision: DecisionTiming;
  /** Who is looking; `decide` gives each card the decision form (approvers), `read` does not. */
  session: Session;
  mode: 'decide' | 'read';
}

const MAX_ACTIVITY = 30;

export class InboxView {
  private readonly cards = new Map<string, Card>();
  private readonly list = byId<HTMLUListElement>('inbox-list');
  private readonly status = byId('inbox-status');
  private readonly activity = byId<HTMLOListElement>('inbox-activity');
  private readonly heading = byId('inbox-title');
  private skewMs = 0;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private tickTimer: ReturnType<typeof setInterval> | undefined;
  private loaded = false;
  private running = false;
  private reading = false;
  private readAgain = false;

  constructor(
    private readonly api: CardflowApi,
    private readonly options: InboxOptions,
  ) {
    const { session, mode } = options;
    byId('inbox-role').textContent =
      mode === 'decide'
        ? `You decide as ${session.name} (${session.id}); your name is recorded with each decision. You cannot decide on transfers you requested or from your own account.`
        : 'You can follow the inbox here; deciding needs the approver role.';
  }

  /** Starts polling and ticking (when the inbox is shown). */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.refresh();
    this.tickTimer = setInterval(() => this.tick(), 1000);
  }

  stop(): void {
    this.running = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.pollTimer = undefined;
    this.tickTimer = undefined;
  }

  /** Reads the inbox once and schedules the next read; a call during a read asks for one more. */
  async refresh(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    try {
      const page = await this.api.pendingApprovals();
      this.skewMs = clockSkew(page.asOf, Date.now());
      this.apply(page.items);
      const count = page.items.length;
      setStatus(
        this.status,
        count === 0
          ? 'No transfers are waiting for approval.'
          : `${count} transfer${count === 1 ? '' : 's'} waiting for approval.`,
      );
      this.loaded = true;
    } catch (error) {
      const why =
        error instanceof ApiError
          ? describeProblem(error.problem)
          : error instanceof Error
            ? error.message
            : String(error);
      setStatus(this.status, `The inbox could not be loaded: ${why} It will try again.`, 'error');
    }
    this.reading = false;
    if (this.readAgain) {
      this.readAgain = false;
      return this.refresh();
    }
    if (this.running) this.pollTimer = setTimeout(() => void this.refresh(), this.options.pollMs);
  }

  private apply(items: readonly PendingApproval[]): void {
    const changes = diffInbox(this.cards.keys(), items);
    for (const id of changes.removed) this.remove(id);
    for (const item of changes.added) {
      const card = this.createCard(item);
      this.cards.set(item.transferId, card);
      if (this.loaded)
        this.log(`Transfer ${item.transferId} (${formatCents(item.amount)}) is waiting for approval.`);
    }
    for (const item of changes.kept) {
      const card = this.cards.get(item.transferId);
      if (card) card.item = item;
    }
    // Re-order only when needed: moving a node that holds the focus would drop it.
    const order = inboxOrder(items);
    const current = Array.from(this.list.children).map((li) => (li as HTMLElement).dataset.transferId);
    if (order.join('\n') !== current.join('\n')) {
      for (const id of order) {
        const card = this.cards.get(id);
        if (card) this.list.append(card.element);
      }
    }
    this.tick();
  }

  private remove(transferId: string): void {
    const card = this.cards.get(transferId);
    if (!card) return;
    const hadFocus = card.element.contains(document.activeElement);
    card.element.remove();
    this.cards.delete(transferId);
    if (hadFocus) this.heading.focus();
    // Say why it left: the transfer's read model has the outcome.
    this.api.transfer(transferId).then(
      (transfer) => {
        const why =
          transfer.status === 'awaiting_approval'
            ? 'is no longer listed'
            : `is ${transfer.status.replace(/_/g, ' ')}`;
        this.log(
          `Transfer ${transferId} ${why}${transfer.reason ? ` (${describeReason(transfer.reason)})` : ''} and left the inbox.`,
        );
      },
      () => this.log(`Transfer ${transferId} left the inbox.`),
    );
  }

  private tick(): void {
    const now = Date.now() + this.skewMs;
    for (const card of this.cards.values()) {
      const left = timeLeft(Date.parse(card.item.deadline), now);
      card.timeLeft.textContent = left.expired ? 'Deadline passed' : left.text;
      card.element.classList.toggle('urgent', left.urgent && !left.expired);
      card.element.classList.toggle('expired', left.expired);
    }
  }

  private createCard(item: PendingApproval): Card {
    const id = item.transferId;
    const titleId = `card-${id}-title`;
    const noteId = `card-${id}-note`;
    const timeLeftElement = h('span', { class: 'time-left' }, '');
    const deciding = this.options.mode === 'decide';
    const note = deciding ? h('textarea', { id: noteId, rows: 2, maxlength: 500 }) : undefined;
    const status = h('p', { class: 'card-status', role: 'status' });
    const button = (decision: Decision, label: string): HTMLButtonElement => {
      const b = h(
        'button',
        { type: 'button', class: decision },
        label,
        h('span', { class: 'visually-hidden' }, ` transfer ${id}`),
      );
      b.addEventListener('click', () => void this.decide(id, decision));
      return b;
    };
    const buttons = deciding ? [button('approve', 'Approve'), button('reject', 'Reject')] : [];
    const element = h(
      'li',
      { class: 'card', 'data-transfer-id': id },
      h(
        'article',
        { 'aria-labelledby': titleId },
        h(
          'h3',
          { id: titleId },
          `${formatCents(item.amount)} credits`,
          h('span', { class: 'visually-hidden' }, `, transfer ${id}`),
        ),
        h(
          'dl',
          {},
          h('dt', {}, 'Transfer'),
          h('dd', {}, h('a', { href: `#lookup?transfer=${encodeURIComponent(id)}`, class: 'mono' }, id)),
          h('dt', {}, 'From'),
          h('dd', { class: 'mono' }, item.fromAccountId),
          h('dt', {}, 'To'),
          h('dd', { class: 'mono' }, item.toAccountId),
          h('dt', {}, 'Why'),
          h('dd', {}, h('span', { class: 'badge' }, REASON_LABELS[item.reason])),
          item.requestedBy ? h('dt', {}, 'Requested by') : null,
          item.requestedBy ? h('dd', { class: 'mono' }, item.requestedBy) : null,
          item.note ? h('dt', {}, 'Their note') : null,
          item.note ? h('dd', {}, item.note) : null,
          item.requestedAt ? h('dt', {}, 'Requested') : null,
          item.requestedAt ? h('dd', {}, instantElement(item.requestedAt)) : null,
          item.reminders ? h('dt', {}, 'Reminders') : null,
          item.reminders ? h('dd', {}, `${item.reminders} sent`) : null,
          h('dt', {}, 'Time left'),
          h(
            'dd',
            {},
            timeLeftElement,
            h('span', { class: 'hint' }, ' (until ', instantElement(item.deadline), ')'),
          ),
        ),
        note
          ? h(
              'div',
              { class: 'field' },
              h('label', { for: noteId }, 'Note for the decision (optional)'),
              note,
            )
          : null,
        buttons.length > 0 ? h('div', { class: 'actions' }, ...buttons) : null,
        status,
      ),
    );
    return { item, element, timeLeft: timeLeftElement, status, buttons, note, busy: false };
  }

  private async decide(transferId: string, decision: Decision): Promise<void> {
    const card = this.cards.get(transferId);
    if (!card || card.busy || this.options.mode !== 'decide') return;
    card.busy = true;
    // aria-disabled, not disabled: a disabled button loses the keyboard focus to the page's body.
    // `busy` is what refuses a second click meanwhile.
    for (const b of card.buttons) b.setAttribute('aria-disabled', 'true');
    const note = card.note?.value.trim();
    // No `approver`: the API takes the approver from the signed-in caller.
    const result = await decideAndFollow(
      this.api,
      transferId,
      { decision, ...(note ? { note } : {}) },
      this.options.decision,
      (message) => setStatus(card.status, message),
    );
    card.busy = false;
    for (const b of card.buttons) b.removeAttribute('aria-disabled');
    const tone = result.kind === 'done' ? 'ok' : result.kind === 'pending' ? 'info' : 'error';
    setStatus(card.status, result.message, tone);
    this.log(result.message, tone === 'error');
    void this.refresh();
  }

  private log(message: string, isError = false): void {
    // On the server's clock, in the page's one zone, like every other time shown.
    const now = new Date(Date.now() + this.skewMs).toISOString();
    const entry = h('li', { class: isError ? 'error' : undefined }, instantElement(now), ` ${message}`);
    this.activity.prepend(entry);
    while (this.activity.children.length > MAX_ACTIVITY) this.activity.lastElementChild?.remove();
  }
}
