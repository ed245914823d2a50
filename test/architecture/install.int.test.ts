/**
 * A fresh `npm ci` compiles nothing: every package with an install script is either not allowed to
 * run it (package.json `allowScripts`) or ships a prebuilt binary for this platform inside its npm
 * package, which is what loads. (A driver that compiles SQLite from source made a fresh install
 * take about five minutes on a 2-core machine.)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Database } from '@cardflow/local-host';

const REPO = path.resolve(__dirname, '../..');

interface LockedPackage {
  hasInstallScript?: boolean;
  dev?: boolean;
}

const lock = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockedPackage>;
};
const allowScripts = (
  JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
    allowScripts: Record<string, boolean>;
  }
).allowScripts;

const withInstallScripts = Object.entries(lock.packages)
  .filter(([, pkg]) => pkg.hasInstallScript)
  .map(([location]) => location.replace(/^.*node_modules\//, ''));

test('every install script in the lockfile is decided in allowScripts', () => {
  expect(withInstallScripts.length).toBeGreaterThan(0);
  for (const name of withInstallScripts) expect([name, typeof allowScripts[name]]).toEqual([name, 'boolean']);
});

test.each(withInstallScripts.filter((name) => allowScripts[name]))(
  '%s, allowed to run its install script, ships a prebuilt binary for this platform',
  (name) => {
    const prebuilds = path.join(
      REPO,
      'node_modules',
      name,
      'prebuilds',
      `${process.platform}-${process.arch}`,
    );
    expect(existsSync(prebuilds)).toBe(true);
    expect(readdirSync(prebuilds).some((file) => file.endsWith('.node'))).toBe(true);
    // No build output: the binary that loads is the shipped one, not one compiled at install.
    expect(existsSync(path.join(REPO, 'node_modules', name, 'build'))).toBe(false);
  },
);

test("the local host's SQLite opens and answers on the shipped binary", () => {
  const db = new Database(':memory:');
  try {
    expect(db.prepare('SELECT sqlite_version() AS v').get()).toEqual({ v: expect.stringMatching(/^3\.\d+/) });
  } finally {
    db.close();
  }
});
