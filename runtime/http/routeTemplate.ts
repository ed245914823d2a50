/**
 * Azure Functions route templates (ASP.NET Core route syntax, the commonly used part):
 * literals, `{param}`, optional `{param?}`, defaults `{param=value}`, catch-all `{*rest}` /
 * `{**rest}`, and inline constraints such as `{id:int}`, `{name:alpha:minlength(2)}`,
 * `{code:regex(^[a-z]{{2}}$)}`. Matching is case-insensitive for literals, like Azure (the host's
 * own routes parse with `caseSensitive`).
 *
 * @example
 * const t = parseRouteTemplate('api/accounts/{id:int}/{*rest}');
 * matchRoute(t, '/api/accounts/42/a/b'); // → { id: '42', rest: 'a/b' }
 */

export class RouteTemplateError extends Error {
  constructor(template: string, reason: string) {
    super(`Invalid route template "${template}": ${reason}`);
    this.name = 'RouteTemplateError';
  }
}

type Constraint = (value: string) => boolean;

interface ParamPart {
  kind: 'param';
  name: string;
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
  constraints: Constraint[];
}

interface LiteralPart {
  kind: 'literal';
  text: string;
}

type Part = ParamPart | LiteralPart;

interface Segment {
  parts: Part[];
  /** For segments that mix literals and parameters. */
  pattern?: RegExp;
}

export interface RouteTemplate {
  template: string;
  segments: Segment[];
  /** Literals must match exactly (the host's own routes); Azure's app routes ignore case. */
  caseSensitive: boolean;
  /** Lower sorts first: the more specific route wins when several match (ASP.NET precedence). */
  precedence: number[];
}

export interface RouteTemplateOptions {
  /** Compare literals exactly instead of ignoring case; default false, as Azure does. */
  caseSensitive?: boolean;
}

/** Parses a route template; throws RouteTemplateError when it is malformed or uses an unknown constraint. */
export function parseRouteTemplate(template: string, options: RouteTemplateOptions = {}): RouteTemplate {
  const caseSensitive = options.caseSensitive ?? false;
  const trimmed = template.replace(/^\/+|\/+$/g, '');
  const rawSegments = trimmed === '' ? [] : trimmed.split('/');
  const segments: Segment[] = [];
  const names = new Set<string>();
  rawSegments.forEach((raw, index) => {
    if (raw === '') throw new RouteTemplateError(template, 'empty segment');
    const parts = parseSegment(template, raw);
    for (const part of parts) {
      if (part.kind !== 'param') continue;
      const key = part.name.toLowerCase();
      if (names.has(key)) throw new RouteTemplateError(template, `parameter "${part.name}" appears twice`);
      names.add(key);
      if (part.catchAll && index !== rawSegments.length - 1) {
        throw new RouteTemplateError(template, 'a catch-all parameter must be the last segment');
      }
    }
    const params = parts.filter((p): p is ParamPart => p.kind === 'param');
    if (parts.length > 1) {
      if (params.some((p) => p.catchAll))
        throw new RouteTemplateError(template, 'a catch-all parameter must be a whole segment');
      segments.push({ parts, pattern: complexPattern(parts, caseSensitive) });
    } else {
      segments.push({ parts });
    }
  });
  // Optional parameters may only be followed by optional parameters (so matching stays unambiguous).
  let seenOptional = false;
  for (const segment of segments) {
    const only = segment.parts.length === 1 ? segment.parts[0] : undefined;
    const optional =
      only?.kind === 'param' && (only.optional || only.defaultValue !== undefined || only.catchAll);
    if (seenOptional && !optional)
      throw new RouteTemplateError(template, 'an optional parameter must be at the end');
    seenOptional ||= optional;
  }
  return { template, segments, caseSensitive, precedence: segments.map(segmentPrecedence) };
}

/** Matches a URL path (undecoded, with or without leading slash) against a template; returns the route values or undefined. */
export function matchRoute(route: RouteTemplate, pathname: string): Record<string, string> | undefined {
  const trimmed = pathname.replace(/^\/+|\/+$/g, '');
  const rawSegments = trimmed === '' ? [] : trimmed.split('/');
  const values: Record<string, string> = {};
  let i = 0;
  for (const segment of route.segments) {
    const only = segment.parts.length === 1 ? segment.parts[0] : undefined;
    if (only?.kind === 'param' && only.catchAll) {
      const rest = rawSegments.slice(i).map(safeDecode);
      i = rawSegments.length;
      if (rest.some((s) => s === undefined)) return undefined;
      const value = rest.join('/');
      if (value === '') {
        if (only.defaultValue !== undefined) values[only.name] = only.defaultValue;
        continue;
      }
      if (!only.constraints.every((c) => c(value))) return undefined;
      values[only.name] = value;
      continue;
    }
    const raw = rawSegments[i];
    if (raw === undefined) {
      if (only?.kind === 'param' && (only.optional || only.defaultValue !== undefined)) {
        if (only.defaultValue !== undefined) values[only.name] = only.defaultValue;
        continue;
      }
      return undefined;
    }
    i++;
    const decoded = safeDecode(raw);
    if (decoded === undefined) return undefined;
    if (only?.kind === 'literal') {
      const same = route.caseSensitive
        ? decoded === only.text
        : decoded.toLowerCase() === only.text.toLowerCase();
      if (!same) return undefined;
    } else if (only?.kind === 'param') {
      if (!only.constraints.every((c) => c(decoded))) return undefined;
      values[only.name] = decoded;
    } else {
      const m = segment.pattern!.exec(decoded);
      if (!m) return undefined;
      const params = segment.parts.filter((p): p is ParamPart => p.kind === 'param');
      for (let k = 0; k < params.length; k++) {
        const value = m[k + 1] ?? '';
        if (!params[k].constraints.every((c) => c(value))) return undefined;
        values[params[k].name] = value;
      }
    }
  }
  return i === rawSegments.length ? values : undefined;
}

/** Orders routes most specific first. */
export function compareRoutePrecedence(a: RouteTemplate, b: RouteTemplate): number {
  const n = Math.max(a.precedence.length, b.precedence.length);
  for (let k = 0; k < n; k++) {
    // A route that ends earlier is less specific than one with more segments here.
    const pa = a.precedence[k] ?? 6;
    const pb = b.precedence[k] ?? 6;
    if (pa !== pb) return pa - pb;
  }
  return 0;
}

function segmentPrecedence(segment: Segment): number {
  if (segment.parts.length > 1) return 2;
  const part = segment.parts[0];
  if (part.kind === 'literal') return 1;
  if (part.catchAll) return 5;
  return part.constraints.length > 0 ? 3 : 4;
}

function safeDecode(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function parseSegment(template: string, raw: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  let k = 0;
  while (k < raw.length) {
    const ch = raw[k];
    if (ch === '{' && raw[k + 1] === '{') {
      literal += '{';
      k += 2;
    } else if (ch === '}' && raw[k + 1] === '}') {
      literal += '}';
      k += 2;
    } else if (ch === '{') {
      const end = findParamEnd(raw, k + 1);
      if (end < 0) throw new RouteTemplateError(template, `unclosed "{" in "${raw}"`);
      if (literal) parts.push({ kind: 'literal', text: literal });
      literal = '';
      parts.push(
        parseParam(
          template,
          raw
            .slice(k + 1, end)
            .replace(/\{\{/g, '{')
            .replace(/\}\}/g, '}'),
        ),
      );
      k = end + 1;
    } else if (ch === '}') {
      throw new RouteTemplateError(template, `unmatched "}" in "${raw}"`);
    } else {
      literal += ch;
      k++;
    }
  }
  if (literal) parts.push({ kind: 'literal', text: literal });
  return parts;
}

/** Index of the "}" closing a parameter that starts at `from` ("{{" / "}}" inside are escapes). */
function findParamEnd(raw: string, from: number): number {
  let depth = 0;
  for (let k = from; k < raw.length; k++) {
    const ch = raw[k];
    if ((ch === '{' || ch === '}') && raw[k + 1] === ch) {
      k++;
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')') {
      depth--;
    } else if (ch === '}' && depth <= 0) {
      return k;
    }
  }
  return -1;
}

function parseParam(template: string, body: string): ParamPart {
  let rest = body;
  let catchAll = false;
  if (rest.startsWith('**')) {
    catchAll = true;
    rest = rest.slice(2);
  } else if (rest.startsWith('*')) {
    catchAll = true;
    rest = rest.slice(1);
  }
  const nameMatch = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
  if (!nameMatch) throw new RouteTemplateError(template, `bad parameter "{${body}}"`);
  const name = nameMatch[0];
  rest = rest.slice(name.length);
  let optional = false;
  let defaultValue: string | undefined;
  const constraints: Constraint[] = [];
  while (rest.length > 0) {
    if (rest === '?') {
      optional = true;
      rest = '';
    } else if (rest.startsWith('=')) {
      defaultValue = rest.slice(1);
      rest = '';
    } else if (rest.startsWith(':')) {
      const end = constraintEnd(rest, 1);
      const text = rest.slice(1, end);
      constraints.push(parseConstraint(template, text));
      rest = rest.slice(end);
    } else {
      throw new RouteTemplateError(template, `bad parameter "{${body}}"`);
    }
  }
  if (optional && catchAll)
    throw new RouteTemplateError(template, 'a catch-all parameter cannot be marked optional');
  return { kind: 'param', name, optional, catchAll, defaultValue, constraints };
}

/** End of one `:constraint(args)`: the next ":" / "?" / "=" outside parentheses. */
function constraintEnd(text: string, from: number): number {
  let depth = 0;
  for (let k = from; k < text.length; k++) {
    const ch = text[k];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && (ch === ':' || ch === '=' || (ch === '?' && k === text.length - 1))) return k;
  }
  return text.length;
}

const INT32 = /^-?\d{1,10}$/;
const INTEGER = /^-?\d+$/;
const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function parseConstraint(template: string, text: string): Constraint {
  const m = /^([A-Za-z]+)(?:\((.*)\))?$/s.exec(text);
  if (!m) throw new RouteTemplateError(template, `bad constraint "${text}"`);
  const kind = m[1].toLowerCase();
  const arg = m[2];
  const nums = (count: number): number[] => {
    const values = (arg ?? '').split(',').map((s) => Number(s.trim()));
    if (values.length !== count || values.some((v) => !Number.isFinite(v))) {
      throw new RouteTemplateError(template, `constraint "${text}" needs ${count} number(s)`);
    }
    return values;
  };
  switch (kind) {
    case 'int':
      return (v) => INT32.test(v) && Math.abs(Number(v)) <= 2 ** 31;
    case 'long':
      return (v) => INTEGER.test(v) && v.replace('-', '').length <= 19;
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'guid':
      return (v) => GUID.test(v);
    case 'alpha':
      return (v) => /^[A-Za-z]+$/.test(v);
    case 'double':
    case 'float':
    case 'decimal':
      return (v) => NUMBER.test(v);
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'minlength': {
      const [min] = nums(1);
      return (v) => v.length >= min;
    }
    case 'maxlength': {
      const [max] = nums(1);
      return (v) => v.length <= max;
    }
    case 'length': {
      const values = (arg ?? '').includes(',') ? nums(2) : nums(1);
      const [min, max] = values.length === 2 ? values : [values[0], values[0]];
      return (v) => v.length >= min && v.length <= max;
    }
    case 'min': {
      const [min] = nums(1);
      return (v) => INTEGER.test(v) && Number(v) >= min;
    }
    case 'max': {
      const [max] = nums(1);
      return (v) => INTEGER.test(v) && Number(v) <= max;
    }
    case 'range': {
      const [min, max] = nums(2);
      return (v) => INTEGER.test(v) && Number(v) >= min && Number(v) <= max;
    }
    case 'regex': {
      if (arg === undefined) throw new RouteTemplateError(template, 'regex constraint needs a pattern');
      let re: RegExp;
      try {
        re = new RegExp(arg, 'i');
      } catch (err) {
        throw new RouteTemplateError(template, `bad regex: ${(err as Error).message}`);
      }
      return (v) => re.test(v);
    }
    default:
      throw new RouteTemplateError(template, `unknown constraint "${kind}"`);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function complexPattern(parts: Part[], caseSensitive: boolean): RegExp {
  const source = parts
    .map((p) => (p.kind === 'literal' ? escapeRegExp(p.text) : p.optional ? '(.*?)' : '(.+?)'))
    .join('');
  return new RegExp(`^${source}$`, caseSensitive ? '' : 'i');
}
