/**
 * The app's entry point (package.json "main" → dist/functions/index.js): validates the settings and
 * registers every function with app.* / df.app.*. The transfer process manager's modules
 * (orchestrations/index, activities/index, entities/index) are loaded when their files exist.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { markTransferProcessRegistered } from './processManager';
import { loadSettings } from './settings';

// A bad setting stops the app here, with a message naming it.
loadSettings();

import './api';
import './commandHandler';
import './eventHandler';
import './secondaryHandlers';
import './dashboard';

/** Requires `../{relative}` (compiled .js, or .ts under ts-jest) when it exists; a module that fails to load fails the app. */
function loadIfPresent(relative: string): boolean {
  const base = path.join(__dirname, '..', relative);
  const file = ['.js', '.ts'].map((ext) => base + ext).find((candidate) => existsSync(candidate));
  if (!file) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(file);
  return true;
}

// Each of these registers its functions when loaded (orchestrations/index registers transferProcess).
loadIfPresent('activities/index');
loadIfPresent('entities/index');
if (loadIfPresent('orchestrations/index')) markTransferProcessRegistered();
