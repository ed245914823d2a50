/**
 * Just enough reading of Bicep, as text, to check infra/ against the code (the Bicep compiler
 * cannot be installed here): a `var`'s object keys and values, a `var`'s array of flat objects,
 * `param` defaults, `module` paths. Comments are dropped first; the files keep one property per
 * line, as `bicep format` writes them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const INFRA = path.resolve(__dirname, '..', '..', 'infra');

export function readBicep(relative: string): string {
  return withoutComments(readFileSync(path.join(INFRA, relative), 'utf8'));
}

/** Drops `// ...` line comments (outside strings) and `/* ... *\/` blocks. */
export function withoutComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((line) => {
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        if (line[i] === "'" && line[i - 1] !== '\\') quoted = !quoted;
        if (!quoted && line[i] === '/' && line[i + 1] === '/') return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
}

/** The text between the bracket at `open` and its match. */
function enclosed(text: string, open: number): string {
  const pairs: Record<string, string> = { '{': '}', '[': ']' };
  const closer = pairs[text[open]];
  let depth = 0;
  let quoted = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'" && text[i - 1] !== '\\') quoted = !quoted;
    if (quoted) continue;
    if (c === text[open]) depth++;
    else if (c === closer && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error(`unbalanced ${text[open]} at ${open}`);
}

/** The body of `var name = {...}` / `var name = [...]` (the first bracket after the `=`). */
export function varBody(text: string, name: string): string {
  const at = new RegExp(`^var ${name}\\s*=`, 'm').exec(text);
  if (!at) throw new Error(`no var ${name}`);
  const open = text.slice(at.index).search(/[[{]/) + at.index;
  return enclosed(text, open);
}

/** The object a `var name = condition ? {} : {...}` takes when the condition is false (the last branch). */
export function varElseBody(text: string, name: string): string {
  const at = new RegExp(`^var ${name}\\s*=`, 'm').exec(text);
  if (!at) throw new Error(`no var ${name}`);
  const open = text.indexOf(': {', at.index);
  if (open < 0) throw new Error(`var ${name} has no ': {' branch`);
  return enclosed(text, open + 2);
}

/** The top-level `key: value` pairs of an object body (values as written, one line each). */
export function objectEntries(body: string): Map<string, string> {
  const entries = new Map<string, string>();
  let depth = 0;
  for (const line of body.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$/.exec(line);
    if (depth === 0 && match) entries.set(match[1], match[2].trim());
    for (const c of line.replace(/'[^']*'/g, '')) {
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') depth--;
    }
  }
  return entries;
}

/** The objects of an array body whose items are `{ key: 'value', ... }` on one line each. */
export function flatObjects(body: string): Array<Record<string, string>> {
  return [...body.matchAll(/\{([^{}]*)\}/g)].map((m) => {
    const object: Record<string, string> = {};
    for (const pair of m[1].matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*:\s*'([^']*)'/g)) object[pair[1]] = pair[2];
    return object;
  });
}

/** `param name type = default`: the default as written (undefined when there is none). */
export function paramDefault(text: string, name: string): string | undefined {
  const match = new RegExp(`^param ${name} \\w+(?: = (.+))?$`, 'm').exec(text);
  if (!match) throw new Error(`no param ${name}`);
  return match[1]?.trim();
}

/** Every `module x 'path'` of a file, with the path resolved against the file's folder. */
export function modulePaths(relative: string): string[] {
  const text = readBicep(relative);
  return [...text.matchAll(/^module \w+ '([^']+)'/gm)].map((m) =>
    path.join(INFRA, path.dirname(relative), m[1]),
  );
}

/** A Bicep string literal's value, or undefined for an expression. */
export function literal(value: string): string | undefined {
  const match = /^'([^'$]*)'$/.exec(value);
  return match ? match[1] : undefined;
}
