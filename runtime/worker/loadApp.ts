/**
 * Loads an Azure Functions v4 Node app the way the worker does: read `package.json` `main` (a file
 * or a glob), make `@azure/functions-core` available, require every entry point it names, collect
 * what they registered, then run the app's `appStart` hooks.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import globby from 'globby';
import type { AppRegistry, BindingInfo, FunctionRegistration, HostJson } from '../contracts';
import * as functionsCore from './functionsCore';
import { AppCapture, type CoreProgrammingModel } from './functionsCore';
import { installCoreModule } from './requireInterception';

/** The app cannot be loaded: a missing or unreadable package.json / entry point, or a throwing entry point. */
export class AppLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppLoadError';
  }
}

export interface LoadedApp {
  registry: AppRegistry;
  capture: AppCapture;
  programmingModel: CoreProgrammingModel;
  /** The entry point files `main` names, absolute, in the order they were required. */
  entryPoints: readonly string[];
}

// An entry point is required once per process (module cache); a second host on the same app reuses
// what the first load registered, since requiring it again would register nothing.
const capturesByEntryPoints = new Map<string, AppCapture>();

/** Reads `host.json` of the app root; an absent file means defaults. */
export function readHostJson(appRoot: string): HostJson {
  const file = path.join(appRoot, 'host.json');
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as HostJson;
  } catch (err) {
    throw new AppLoadError(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** The app's `package.json` `main`: the pattern (or file) its entry points are found by. */
export function readMain(appRoot: string): string {
  const pkgFile = path.join(appRoot, 'package.json');
  if (!existsSync(pkgFile))
    throw new AppLoadError(`No package.json in ${appRoot}: is this an Azure Functions app folder?`);
  let main: unknown;
  try {
    main = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { main?: unknown }).main;
  } catch (err) {
    throw new AppLoadError(`${pkgFile} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof main !== 'string' || main.trim() === '') {
    throw new AppLoadError(`${pkgFile} has no "main": the host loads the app's functions from that file.`);
  }
  return main;
}

/**
 * The absolute paths of the app's entry points: every file `package.json` `main` matches, matched
 * as the Node worker matches it (globby 11 with the app folder as `cwd`: `*` and `**` skip dot
 * files, `{a,b}` and `!(x)` work, only files match, a folder stands for every file under it). The
 * worker requires them in the order the file system lists them, which nothing guarantees; the host
 * sorts them, so an app must not rely on the order either way.
 */
export async function resolveEntryPoints(appRoot: string): Promise<string[]> {
  const main = readMain(appRoot);
  const files = await globby(main, { cwd: appRoot });
  if (files.length === 0) {
    if (globby.hasMagic(main, { cwd: appRoot }))
      throw new AppLoadError(
        `No file of ${appRoot} matches the app's entry point pattern ${main} (package.json "main"). ` +
          'Build the app first (npm run build), or check "main".',
      );
    throw new AppLoadError(
      `The app's entry point ${main} (package.json "main") does not exist in ${appRoot}. ` +
        'Build the app first (npm run build), or check "main".',
    );
  }
  return files.sort().map((file) => path.resolve(appRoot, file));
}

/** Loads the app at `appRoot`: its functions, host.json and hooks. Runs the `appStart` hooks. */
export async function loadApp(appRoot: string): Promise<LoadedApp> {
  const root = path.resolve(appRoot);
  const hostJson = readHostJson(root);
  const entryPoints = await resolveEntryPoints(root);
  installCoreModule();

  const key = entryPoints.join('\n');
  let capture = capturesByEntryPoints.get(key);
  if (!capture) {
    capture = new AppCapture();
    functionsCore.beginAppLoad(capture);
    try {
      for (const file of entryPoints) requireEntryPoint(file);
    } finally {
      functionsCore.endAppLoad(capture);
    }
    capturesByEntryPoints.set(key, capture);
  }

  const programmingModel = functionsCore.getProgrammingModel();
  if (!programmingModel || capture.functions.size === 0) {
    const named = entryPoints.length === 1 ? entryPoints[0] : `The ${entryPoints.length} entry points`;
    throw new AppLoadError(
      `${named} registered no functions. Register them with @azure/functions (app.http, app.generic, ...) ` +
        'when the entry point loads, and make sure the app uses the same @azure/functions copy as the host.',
    );
  }

  if (!capture.capabilitiesChecked) {
    capture.capabilitiesChecked = true;
    // As the worker does after loading: this locks app.setup(); HTTP streaming would need the library's proxy.
    const capabilities = (await programmingModel.getCapabilities?.({})) ?? {};
    if (capabilities.HttpUri) {
      throw new AppLoadError(
        'The app enables HTTP streaming (app.setup({ enableHttpStream: true })), which the local host does not support.',
      );
    }
  }

  const functions = new Map<string, FunctionRegistration>();
  for (const { metadata } of capture.functions.values())
    functions.set(metadata.name, toRegistration(metadata));
  const registry = registryOf(root, hostJson, functions);

  await runAppHooks(capture, 'appStart', root);
  return { registry, capture, programmingModel, entryPoints };
}

/** Requires one entry point; it is the app's code, so it goes through the module system as in the worker. */
function requireEntryPoint(file: string): void {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(file);
  } catch (err) {
    throw new AppLoadError(`The app's entry point ${file} threw while loading: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Runs `appStart` or `appTerminate` hooks in registration order, with the worker's context shape. */
export async function runAppHooks(
  capture: AppCapture,
  hook: 'appStart' | 'appTerminate',
  appRoot: string,
): Promise<void> {
  for (const callback of [...capture.hooks[hook]]) {
    await callback({
      hookData: capture.appLevelOnlyHookData,
      appHookData: capture.appHookData,
      functionAppDirectory: appRoot,
    });
  }
}

function toRegistration(metadata: functionsCore.CoreFunctionMetadata): FunctionRegistration {
  const bindings = metadata.bindings as Record<string, BindingInfo>;
  const trigger = Object.entries(bindings).find(([, b]) => /trigger$/i.test(b.type));
  if (!trigger) throw new AppLoadError(`Function "${metadata.name}" has no trigger binding.`);
  return {
    name: metadata.name,
    bindings,
    triggerName: trigger[0],
    trigger: trigger[1],
    retryOptions: metadata.retryOptions,
  };
}

/** The registry of an app's functions (also built from what a worker thread reports). */
export function registryOf(
  appRoot: string,
  hostJson: HostJson,
  functions: Map<string, FunctionRegistration>,
): AppRegistry {
  return {
    appRoot,
    hostJson,
    functions,
    byTriggerType(type: string): FunctionRegistration[] {
      const wanted = type.toLowerCase();
      return [...functions.values()].filter((f) => f.trigger.type.toLowerCase() === wanted);
    },
  };
}
