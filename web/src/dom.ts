/** Small DOM helpers shared by the views: element building, instants, field errors, confirmation. */
import { formatInstant } from './time.js';

type Attr = string | number | boolean | undefined | null;
export type Child = Node | string | null | undefined | false;

/**
 * Creates an element with attributes and children; `true` sets an empty attribute, `false`,
 * `undefined` and `null` leave it out. Text children are text nodes (never parsed as HTML).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, Attr> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

/** Shows (or clears, with undefined) an error under a field and marks the field invalid. */
export function setFieldError(
  input: HTMLInputElement | HTMLTextAreaElement,
  errorElement: HTMLElement,
  message: string | undefined,
): void {
  errorElement.textContent = message ?? '';
  errorElement.hidden = !message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

/** A status line's text and tone. */
export function setStatus(
  element: HTMLElement,
  message: string,
  tone: 'info' | 'ok' | 'error' = 'info',
): void {
  element.textContent = message;
  element.classList.toggle('error', tone === 'error');
  element.classList.toggle('ok', tone === 'ok');
}

/** A `<dl>` from label/value pairs; pairs with an undefined value are left out. */
export function facts(pairs: Array<[string, Child]>): HTMLDListElement {
  const list = h('dl', { class: 'facts' });
  for (const [label, value] of pairs) {
    if (value === undefined || value === null || value === false) continue;
    list.append(h('dt', {}, label), h('dd', {}, value));
  }
  return list;
}

/**
 * Asks the person to confirm a destructive action in the page's modal dialog. The button that does
 * nothing says so (`dismissLabel`, "Go back" unless told), never a bare "Cancel" that could be read
 * as "Cancel transfer".
 */
export function confirmAction(
  message: string,
  confirmLabel: string,
  dismissLabel = 'Go back',
): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>('confirm-dialog');
  byId('confirm-message').textContent = message;
  byId('confirm-ok').textContent = confirmLabel;
  byId('confirm-dismiss').textContent = dismissLabel;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
    dialog.showModal();
  });
}

/** JSON for people: strings as they are, everything else indented. */
export function pretty(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2);
}

/**
 * An instant as the page shows every one: a `<time>` with the ISO instant as `datetime` and the
 * text in the dashboard's one zone, labelled ("2026-01-01 00:00:00 UTC"); it wraps between its
 * date and its time only. Text that is not an instant is shown as it is.
 */
export function instantElement(iso: string, className?: string): HTMLTimeElement {
  const text = formatInstant(iso);
  const space = text.indexOf(' ');
  if (space < 0 || text === iso) return h('time', { class: className }, text);
  return h(
    'time',
    { datetime: iso, class: className },
    h('span', { class: 'nowrap' }, text.slice(0, space)),
    ' ',
    h('span', { class: 'nowrap' }, text.slice(space + 1)),
  );
}
