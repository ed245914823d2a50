/**
 * Basic accessibility checks on what Chromium itself exposes to assistive technology (its
 * accessibility tree, over CDP), plus a few document rules. Not a full audit: it catches the common
 * regressions (unnamed controls, skipped heading levels, missing page language, duplicate ids,
 * text with too little contrast).
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
  return [...problems, ...documentProblems, ...(await contrastProblems(page))];
}

/**
 * Visible text whose colour contrasts too little with what is behind it (WCAG 2 AA: 4.5:1, or
 * 3:1 for large text), computed from the styles Chromium resolved, translucent layers blended.
 * Disabled controls are exempt, as WCAG allows; text over a background image is skipped.
 */
export async function contrastProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    type Rgba = [number, number, number, number];
    const parse = (css: string): Rgba | null => {
      const m = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(css);
      return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : null;
    };
    const over = (top: Rgba, bottom: Rgba): Rgba => {
      const a = top[3];
      return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1) as Rgba;
    };
    const luminance = ([r, g, b]: Rgba): number => {
      const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    /** The opaque colour behind `element`: its own and its ancestors' backgrounds, blended. */
    const backdrop = (element: Element): Rgba | null => {
      const layers: Rgba[] = [];
      for (let e: Element | null = element; e; e = e.parentElement) {
        const style = getComputedStyle(e);
        if (style.backgroundImage !== 'none') return null;
        const colour = parse(style.backgroundColor);
        if (colour && colour[3] > 0) layers.push(colour);
        if (colour && colour[3] === 1) break;
      }
      // The canvas behind everything follows the page's colour scheme.
      const dark = matchMedia('(prefers-color-scheme: dark)').matches;
      let result: Rgba = dark ? [18, 18, 18, 1] : [255, 255, 255, 1];
      for (const layer of layers.reverse()) result = over(layer, result);
      return result;
    };
    const found: string[] = [];
    for (const element of Array.from(document.querySelectorAll('body *'))) {
      const text = Array.from(element.childNodes)
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent ?? '')
        .join('')
        .trim();
      if (!text || element.getClientRects().length === 0) continue;
      const style = getComputedStyle(element);
      const disabled =
        (element as HTMLButtonElement).disabled || element.closest('[aria-disabled="true"]') !== null;
      if (style.visibility !== 'visible' || disabled) continue;
      if (element.closest('[hidden], [aria-hidden="true"], noscript, script, style')) continue;
      const foreground = parse(style.color);
      const back = backdrop(element);
      if (!foreground || !back) continue;
      const ratio =
        (Math.max(luminance(over(foreground, back)), luminance(back)) + 0.05) /
        (Math.min(luminance(over(foreground, back)), luminance(back)) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const needed = large ? 3 : 4.5;
      if (ratio < needed)
        found.push(`text "${text.slice(0, 40)}" has contrast ${ratio.toFixed(2)}:1, needs ${needed}:1`);
    }
    return found;
  });
}

/** True when the page is no wider than the viewport (nothing to scroll sideways at this width). */
export async function fitsViewportWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
}
