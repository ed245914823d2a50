/**
 * Basic accessibility checks on what Chromium itself exposes to assistive technology (its
 * accessibility tree, over CDP), plus a few document rules. Not a full audit: it catches the common
 * regressions (unnamed controls, skipped heading levels, missing page language, duplicate ids).
 */
import type { Page } from 'playwright-core';

interface AXValue {
  value?: unknown;
}

interface AXNode {
  nodeId: string;
  ignored: boolean;
  role?: AXValue;
  name?: AXValue;
  properties?: Array<{ name: string; value: AXValue }>;
}

const NAMED_ROLES = new Set([
  'button',
  'link',
  'textbox',
  'searchbox',
  'checkbox',
  'radio',
  'combobox',
  'listbox',
  'spinbutton',
  'slider',
  'switch',
  'tab',
  'menuitem',
  'img',
]);

/** The problems found on the page as it is shown now (hidden views are not in the tree). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  const session = await page.context().newCDPSession(page);
  try {
    await session.send('Accessibility.enable');
    const { nodes } = (await session.send('Accessibility.getFullAXTree')) as { nodes: AXNode[] };
    const headingLevels: Array<{ level: number; name: string }> = [];
    for (const node of nodes) {
      if (node.ignored) continue;
      const role = String(node.role?.value ?? '');
      const name = String(node.name?.value ?? '').trim();
      if (NAMED_ROLES.has(role) && name === '') problems.push(`a ${role} has no accessible name`);
      if (role === 'heading') {
        const level = Number(node.properties?.find((p) => p.name === 'level')?.value.value ?? 0);
        headingLevels.push({ level, name });
        if (name === '') problems.push(`a level-${level} heading is empty`);
      }
    }
    if (headingLevels.filter((h) => h.level === 1).length !== 1)
      problems.push(
        `expected exactly one level-1 heading, found ${headingLevels.filter((h) => h.level === 1).length}`,
      );
    let previous = 0;
    for (const heading of headingLevels) {
      if (heading.level > previous + 1)
        problems.push(`heading "${heading.name}" jumps from level ${previous} to ${heading.level}`);
      previous = heading.level;
    }
  } finally {
    await session.detach();
  }
  const documentProblems = await page.evaluate(() => {
    const found: string[] = [];
    if (!document.documentElement.lang) found.push('the page has no lang attribute');
    if (!document.title.trim()) found.push('the page has no title');
    if (!document.querySelector('main')) found.push('the page has no main landmark');
    const seen = new Set<string>();
    for (const element of Array.from(document.querySelectorAll('[id]'))) {
      if (seen.has(element.id)) found.push(`the id "${element.id}" is used twice`);
      seen.add(element.id);
    }
    for (const element of Array.from(document.querySelectorAll('[aria-labelledby], [aria-describedby]'))) {
      for (const attr of ['aria-labelledby', 'aria-describedby']) {
        for (const ref of (element.getAttribute(attr) ?? '').split(/\s+/).filter(Boolean)) {
          if (!document.getElementById(ref)) found.push(`${attr}="${ref}" points at no element`);
        }
      }
    }
    return found;
  });
  return [...problems, ...documentProblems];
}

/** True when the page is no wider than the viewport (nothing to scroll sideways at this width). */
export async function fitsViewportWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
}
