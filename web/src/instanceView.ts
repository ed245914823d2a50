/**
 * One orchestration instance on screen: its status, custom status (in words, the raw value folded
 * under it), input/output and history as a timeline. The monitor adds the operations
 * (operations.ts).
 */
import type { InstanceStatus } from './contracts.js';
import { summariseCustomStatus } from './customStatus.js';
import { facts, h, instantElement, pretty } from './dom.js';
import { formatDuration, toTimeline } from './timeline.js';

export function renderTimeline(status: InstanceStatus, labelId: string): HTMLElement {
  const entries = toTimeline(status.historyEvents ?? []);
  if (entries.length === 0) return h('p', { class: 'hint' }, 'No history recorded yet.');
  const list = h('ol', { class: 'timeline', 'aria-labelledby': labelId });
  for (const item of entries) {
    list.append(
      h(
        'li',
        { class: item.outcome },
        instantElement(item.at, 'when'),
        ' ',
        h('span', { class: 'what' }, item.title),
        item.durationMs !== undefined
          ? h('span', { class: 'when' }, ` · ${formatDuration(item.durationMs)}`)
          : null,
        item.outcome === 'pending' ? h('span', { class: 'visually-hidden' }, ' (not finished)') : null,
        item.detail ? h('code', { class: 'detail-text' }, item.detail) : null,
      ),
    );
  }
  return list;
}

export function renderInstanceSummary(status: InstanceStatus): HTMLElement {
  return facts([
    ['Name', status.name],
    ['Status', h('span', { class: `runtime-status ${status.runtimeStatus}` }, status.runtimeStatus)],
    [
      'Custom status',
      h(
        'span',
        {},
        h('span', { class: 'custom-status' }, summariseCustomStatus(status.customStatus)),
        status.customStatus === null || status.customStatus === undefined
          ? null
          : h(
              'details',
              { class: 'raw' },
              h('summary', {}, 'As JSON'),
              h('pre', {}, pretty(status.customStatus)),
            ),
      ),
    ],
    ['Created', instantElement(status.createdTime)],
    ['Last updated', instantElement(status.lastUpdatedTime)],
  ]);
}

function payloadBlock(title: string, value: unknown): HTMLElement | null {
  if (value === null || value === undefined) return null;
  return h('details', {}, h('summary', {}, title), h('pre', {}, pretty(value)));
}

/** The whole instance: summary, payloads, timeline (headings at `level`). */
export function renderInstance(status: InstanceStatus, idPrefix: string, level: 'h3' | 'h4'): HTMLElement[] {
  const historyId = `${idPrefix}-history`;
  return [
    renderInstanceSummary(status),
    ...[payloadBlock('Input', status.input), payloadBlock('Output', status.output)].filter(
      (x): x is HTMLElement => x !== null,
    ),
    h(level, { id: historyId }, 'History'),
    renderTimeline(status, historyId),
  ];
}
