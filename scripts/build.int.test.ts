/**
 * The build step of `npm start` (scripts/build.mjs, tsc's build mode) on a small project of its own:
 * it builds what changed and skips what is fresh, which is what makes a start with nothing changed
 * answer in seconds.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BUILD = path.join(__dirname, 'build.mjs');

describe('scripts/build.mjs', () => {
  let dir: string;
  const run = (): { status: number; out: string } => {
    try {
      return {
        status: 0,
        out: execFileSync(process.execPath, [BUILD, 'tsconfig.json'], { cwd: dir }).toString(),
      };
    } catch (err) {
      const failed = err as { status: number; stdout: Buffer };
      return { status: failed.status, out: failed.stdout.toString() };
    }
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cardflow-build-'));
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'CommonJS',
          strict: true,
          rootDir: 'src',
          outDir: 'dist',
          types: [],
          lib: ['ES2022'],
          skipLibCheck: true,
        },
        include: ['src'],
      }),
    );
    writeFileSync(path.join(dir, 'src', 'a.ts'), 'export const a: number = 1;\n');
    writeFileSync(path.join(dir, 'src', 'b.ts'), "import { a } from './a';\nexport const b = a + 1;\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('builds a project never built, then skips it while nothing changed', () => {
    const first = run();
    expect(first.status).toBe(0);
    expect(first.out).toMatch(
      /^Build: tsconfig\.json built \(output file '.*tsconfig\.tsbuildinfo' does not exist\)$/m,
    );
    expect(existsSync(path.join(dir, 'dist', 'b.js'))).toBe(true);
    const second = run();
    expect(second.out).toMatch(/^Build: tsconfig\.json up to date$/m);
    expect(second.out).toMatch(/^Build: done in \d+\.\d s$/m);
  });

  test('rebuilds when a source is newer than the outputs, and the change is in the output', () => {
    writeFileSync(path.join(dir, 'src', 'a.ts'), 'export const a: number = 41;\n');
    expect(run().out).toMatch(
      /^Build: tsconfig\.json built \(output .* is older than input 'src\/a\.ts'\)$/m,
    );
    expect(readFileSync(path.join(dir, 'dist', 'a.js'), 'utf8')).toContain('41');
    expect(run().out).toMatch(/^Build: tsconfig\.json up to date$/m);
  });

  test("a type error fails the build with tsc's diagnostic and status", () => {
    writeFileSync(path.join(dir, 'src', 'b.ts'), "import { a } from './a';\nexport const b: string = a;\n");
    const failed = run();
    expect(failed.status).not.toBe(0);
    expect(failed.out).toMatch(/src\/b\.ts\(2,14\): error TS2322/);
    expect(failed.out).toMatch(/^Build: failed in /m);
  });
});
