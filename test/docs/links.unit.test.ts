/**
 * Every relative link in the project's Markdown resolves to a file or folder inside the repository:
 * the docs stand on their own in a clone.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'out', 'coverage', '.data', '.git', 'test-results']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory())
      return SKIPPED_FOLDERS.has(entry.name) ? [] : markdownFiles(path.join(dir, entry.name));
    return entry.name.endsWith('.md') ? [path.join(dir, entry.name)] : [];
  });
}

/** Link targets of `[text](target)`, `![alt](target)` and `<img src="target">`, code spans and blocks left out. */
export function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const images = [...prose.matchAll(/<img\s[^>]*src="([^"]+)"/g)].map((m) => m[1]);
  return [...inline, ...images];
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#');
}

describe('Markdown links', () => {
  it('finds the links of a document, not those in code', () => {
    const sample =
      'See [the design](docs/architecture.md#flow) and ![x](web/a.png).\n`[no](code.md)`\n```\n[no](block.md)\n```\n';
    expect(linkTargets(sample)).toEqual(['docs/architecture.md#flow', 'web/a.png']);
  });

  const files = markdownFiles(REPO);

  it('the project has Markdown to check', () => {
    expect(files.map((f) => path.relative(REPO, f))).toEqual(
      expect.arrayContaining(['README.md', 'docs/architecture.md']),
    );
  });

  it.each(files.map((f) => [path.relative(REPO, f), f]))(
    'every relative link in %s resolves inside the repository',
    (_name, file) => {
      const broken = linkTargets(readFileSync(file, 'utf8'))
        .filter((target) => !isExternal(target))
        .map((target) => decodeURI(target.split('#')[0]))
        .filter((target) => target !== '')
        .filter((target) => {
          const resolved = path.resolve(path.dirname(file), target);
          return !resolved.startsWith(REPO + path.sep) || !existsSync(resolved);
        });
      expect(broken).toEqual([]);
    },
  );
});
