/** The dashboard's location hash: `#view` or `#view?key=value`, e.g. `#lookup?transfer=t-1`. */

export type ViewName = 'inbox' | 'lookup' | 'monitor';

export interface Route {
  view: ViewName;
  params: Record<string, string>;
}

const VIEWS: readonly ViewName[] = ['inbox', 'lookup', 'monitor'];

/** Unknown or empty hashes, and views not `offered` to the signed-in person, go to the first offered. */
export function parseRoute(hash: string, offered: readonly ViewName[] = VIEWS): Route {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  const [name, query = ''] = raw.split('?', 2);
  const view = (offered as readonly string[]).includes(name) ? (name as ViewName) : (offered[0] ?? 'lookup');
  return { view, params: Object.fromEntries(new URLSearchParams(query)) };
}

/** Dashboard settings from its own URL's query: poll interval (ms, at least 250) and the Durable API key. */
export function readSettings(search: string): { pollMs: number; durableQuery: Record<string, string> } {
  const query = new URLSearchParams(search);
  const poll = Number(query.get('pollMs'));
  const code = query.get('code');
  return {
    pollMs: Number.isFinite(poll) && poll >= 250 ? Math.floor(poll) : 3000,
    durableQuery: code ? { code } : {},
  };
}
