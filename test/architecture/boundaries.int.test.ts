/**
 * The import rules of `.dependency-cruiser.cjs`, as `npm run lint` applies them: each rule catches
 * its forbidden import in a small tree of its own, and the project's tree keeps every rule.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
// What `npm run lint:boundaries` runs: the rules over package.json's folders, then the folder cycles.
const BOUNDARIES = path.join(REPO, 'scripts', 'boundaries.mjs');

interface Violation {
  rule: string;
  from: string;
  to: string;
}

/** Runs the check as `npm run lint` does, on the tree at `root`, and reads its report (`error RULE: FROM → TO`). */
function cruise(root: string): { status: number | null; violations: Violation[] } {
  const run = spawnSync(process.execPath, [BOUNDARIES, root], { encoding: 'utf8' });
  const violations = [...run.stdout.matchAll(/^\s*error ([\w-]+): (\S+) →\s*(\S+)/gm)].map(
    ([, rule, from, to]) => ({
      rule,
      from,
      to,
    }),
  );
  return { status: run.status, violations };
}

/** A tree with one module per folder that imports only what every rule allows. */
function cleanTree(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cardflow-boundaries-'));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  writeFileSync(
    path.join(root, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'CommonJS',
        moduleResolution: 'node',
        paths: { '@cardflow/local-host': ['./runtime/index.ts'], '@cardflow/local-host/*': ['./runtime/*'] },
      },
    }),
  );
  const files: Record<string, string> = {
    'domain/money.ts': "import { z } from 'zod';\nexport const Money = z.int();\n",
    'stores/ports.ts': "import { Money } from '../domain/money';\nexport const port = Money;\n",
    'activities/contracts.ts': 'export interface ReserveInput { amount: number }\n',
    'activities/reserve.ts': "import { port } from '../stores/ports';\nexport const reserve = port;\n",
    'entities/window.ts': "import { Money } from '../domain/money';\nexport const window = Money;\n",
    'orchestrations/process.ts':
      "import type { ReserveInput } from '../activities/contracts';\nimport { Money } from '../domain/money';\nexport const input: ReserveInput | typeof Money | undefined = undefined;\n",
    'functions/index.ts':
      "import '../orchestrations/process';\nimport '../activities/reserve';\nimport '../entities/window';\n",
    'runtime/index.ts': "import path from 'node:path';\nexport const host = path.sep;\n",
    'runtime/inside.ts': 'export const inside = 1;\n',
    'simulator/tool.ts': 'export const tool = 1;\n',
    'stores/test/helper.ts': 'export const helper = 1;\n',
    'bench/run.ts': "import { tool } from '../simulator/tool';\nexport const bench = tool;\n",
    'test/host.ts':
      "import { host } from '@cardflow/local-host';\nimport '../functions/index';\nexport const t = host;\n",
  };
  for (const [file, text] of Object.entries(files)) write(root, file, text);
  return root;
}

function write(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

const BROKEN: Array<{ rule: string; file: string; text: string }> = [
  {
    rule: 'domain-is-pure',
    file: 'domain/bad.ts',
    text: "import { port } from '../stores/ports';\nexport const x = port;\n",
  },
  {
    rule: 'domain-is-pure',
    file: 'domain/bad.ts',
    text: "import { createHash } from 'node:crypto';\nexport const x = createHash;\n",
  },
  {
    rule: 'orchestrations-are-deterministic',
    file: 'orchestrations/bad.ts',
    text: "import { reserve } from '../activities/reserve';\nexport const x = reserve;\n",
  },
  {
    rule: 'app-knows-no-local-host',
    file: 'functions/bad.ts',
    text: "import { host } from '@cardflow/local-host';\nexport const x = host;\n",
  },
  {
    rule: 'app-knows-no-local-host',
    file: 'stores/bad.ts',
    text: "import { DatabaseSync } from '@photostructure/sqlite';\nexport const x = DatabaseSync;\n",
  },
  {
    rule: 'local-host-knows-no-app',
    file: 'runtime/bad.ts',
    text: "import { port } from '../stores/ports';\nexport const x = port;\n",
  },
  {
    rule: 'local-host-by-package-name',
    file: 'test/bad.ts',
    text: "import { host } from '../runtime/index';\nexport const x = host;\n",
  },
  {
    rule: 'stores-below-the-app',
    file: 'stores/bad.ts',
    text: "import { reserve } from '../activities/reserve';\nexport const x = reserve;\n",
  },
  {
    rule: 'activities-and-entities-below-functions',
    file: 'activities/bad.ts',
    text: "import '../functions/index';\nexport const x = 1;\n",
  },
  { rule: 'no-circular', file: 'domain/bad.ts', text: "import { y } from './bad2';\nexport const x = y;\n" },
  {
    rule: 'orchestrations-are-deterministic',
    file: 'orchestrations/bad.ts',
    text: "import { port } from '../stores/ports';\nexport const x = port;\n",
  },
  {
    rule: 'entities-do-not-call-activities',
    file: 'entities/bad.ts',
    text: "import { reserve } from '../activities/reserve';\nexport const x = reserve;\n",
  },
  {
    rule: 'app-does-not-import-tools',
    file: 'functions/bad.ts',
    text: "import { tool } from '../simulator/tool';\nexport const x = tool;\n",
  },
  {
    rule: 'app-does-not-import-tests',
    file: 'functions/bad.ts',
    text: "import { helper } from '../stores/test/helper';\nexport const x = helper;\n",
  },
  {
    rule: 'tools-do-not-import-tests',
    file: 'simulator/bad.ts',
    text: "import { helper } from '../stores/test/helper';\nexport const x = helper;\n",
  },
  {
    rule: 'local-host-root-only',
    file: 'simulator/bad.ts',
    text: "import { inside } from '@cardflow/local-host/inside';\nexport const x = inside;\n",
  },
  {
    rule: 'folder-cycle',
    file: 'simulator/bad.ts',
    text: "import { bench } from '../bench/run';\nexport const x = bench;\n",
  },
];

/** Every broken case in one tree, each at a file of its own, so one run of the check judges them all. */
const CASES = BROKEN.map((c, n) => {
  const file = c.file.replace(/bad\.ts$/, `bad${n}.ts`);
  const text = c.text.replace("'./bad2'", `'./bad${n}b'`);
  return {
    ...c,
    file,
    text,
    partner: c.rule === 'no-circular' ? file.replace(/\.ts$/, 'b.ts') : undefined,
    n,
  };
});

describe('import boundaries', () => {
  let broken: ReturnType<typeof cruise>;
  beforeAll(() => {
    const root = cleanTree();
    try {
      for (const c of CASES) {
        write(root, c.file, c.text);
        if (c.partner)
          write(root, c.partner, `import { x } from './bad${c.n}';\nexport const y = () => x;\n`);
      }
      broken = cruise(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('the clean sample tree keeps every rule', () => {
    const root = cleanTree();
    try {
      const result = cruise(root);
      expect(result.violations).toEqual([]);
      expect(result.status).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 30_000);

  it('fails the check on a broken tree', () => {
    expect(broken.status).not.toBe(0);
  });

  it.each(CASES.map((c) => [c.rule, c.file]))('%s catches %s', (rule, file) => {
    if (rule === 'folder-cycle') {
      // Reported between folders, from whichever folder the search met first.
      expect(broken.violations).toContainEqual({
        rule,
        from: expect.stringMatching(/^(simulator|bench)$/),
        to: expect.stringMatching(/^(simulator|bench)$/),
      });
    } else expect(broken.violations.map((v) => [v.rule, v.from])).toContainEqual([rule, file]);
  });

  it('the project keeps every rule', () => {
    const result = cruise(REPO);
    expect(result.violations.map((v) => `${v.rule}: ${v.from} → ${v.to}`)).toEqual([]);
    expect(result.status).toBe(0);
  }, 60_000);
});
