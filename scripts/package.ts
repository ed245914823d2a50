/**
 * `npm run package`: the deployable Function App, as `func pack` would lay it out — the compiled
 * app, the dashboard's static files, host.json, a package.json with the production dependencies
 * and those dependencies installed at the versions of the repository's package-lock.json — and nothing of the local host, SQLite or the dev tools.
 *
 *   node dist/scripts/package.js [--out DIR] [--no-install] [--from-build]
 *
 * `--from-build` takes the app's compiled folders from `dist/` (what `npm run build` made) instead
 * of compiling again: the same modules, for tests that run the package without a second compile.
 *
 * DIR defaults to out/functionapp. Deploy it with `azd deploy` or `func azure functionapp publish`
 * (see the README, "Deploy to Azure").
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// dist/scripts/ when compiled, scripts/ under ts-jest: the repository is where package.json is.
const REPO = [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..')].find((dir) =>
  existsSync(path.join(dir, 'tsconfig.app.json')),
) as string;
const DEFAULT_OUT = path.join(REPO, 'out', 'functionapp');
/** The app's folders: what tsconfig.app.json compiles, and nothing else ships. */
export const APP_FOLDERS = [
  'domain',
  'telemetry',
  'stores',
  'orchestrations',
  'activities',
  'entities',
  'functions',
] as const;
/** The dashboard's files that the `dashboard` function serves (functions/dashboardAssets.ts). */
const WEB_FILES = ['index.html', 'styles.css', 'dist'];

export interface PackageOptions {
  out?: string;
  /** Install the production dependencies into the package (default true). */
  install?: boolean;
  /** Copy the compiled app from this build folder (e.g. `dist`) instead of compiling it (default: compile). */
  fromBuild?: string;
  log?: (line: string) => void;
}

interface Manifest {
  name: string;
  version: string;
  description?: string;
  main: string;
  engines?: Record<string, string>;
  dependencies: Record<string, string>;
}

/** Builds the package into `out` (emptied first) and returns its folder. */
export function buildPackage(options: PackageOptions = {}): string {
  const out = path.resolve(options.out ?? DEFAULT_OUT);
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (!existsSync(path.join(REPO, 'web', 'dist', 'main.js')))
    throw new Error('web/dist is not built: run `npm run build` first');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  if (options.fromBuild !== undefined) {
    const build = path.resolve(REPO, options.fromBuild);
    log(`copying the compiled app from ${path.relative(REPO, build) || build}`);
    for (const folder of APP_FOLDERS) {
      if (!existsSync(path.join(build, folder)))
        throw new Error(`${path.join(build, folder)} is not built: run \`npm run build\` first`);
      cpSync(path.join(build, folder), path.join(out, 'dist', folder), {
        recursive: true,
        // The package holds no source maps and no tests (tsconfig.app.json builds neither).
        filter: (source) => !/\.map$|\.test\.js$/.test(source) && !/[\\/](test|fixtures)$/.test(source),
      });
    }
  } else {
    log(`compiling the app into ${path.relative(REPO, out) || out}/dist`);
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.app.json', '--outDir', path.join(out, 'dist')],
      {
        cwd: REPO,
        stdio: 'inherit',
      },
    );
  }
  for (const file of WEB_FILES)
    cpSync(path.join(REPO, 'web', file), path.join(out, 'web', file), { recursive: true });
  cpSync(path.join(REPO, 'host.json'), path.join(out, 'host.json'));
  writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(productionManifest(), null, 2)}\n`);

  // The tested lockfile: npm prunes it to the production dependencies, at the versions tested.
  cpSync(path.join(REPO, 'package-lock.json'), path.join(out, 'package-lock.json'));
  if (options.install ?? true) {
    log('installing the production dependencies (versions from package-lock.json)');
    execFileSync(
      'npm',
      ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'],
      {
        cwd: out,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  }
  log(`package ready: ${out}`);
  return out;
}

/** The app's package.json as it ships: name, main, engines and the production dependencies only. */
export function productionManifest(): Manifest {
  const source = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Manifest;
  const { name, version, description, main, engines, dependencies } = source;
  return { name, version, description, main, engines, dependencies };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  try {
    buildPackage({
      out: outIndex >= 0 ? args[outIndex + 1] : undefined,
      install: !args.includes('--no-install'),
      fromBuild: args.includes('--from-build') ? 'dist' : undefined,
    });
  } catch (error) {
    process.stderr.write(`npm run package: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
