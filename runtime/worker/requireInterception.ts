/**
 * Makes `require('@azure/functions-core')` return our core module under plain Node, the way the
 * Functions Node worker does: a proxy over `Module.prototype.require`. Under jest (which has its own
 * `require`) this has no effect; jest.config.js maps the name with `moduleNameMapper` instead.
 */
import Module from 'node:module';
import * as functionsCore from './functionsCore';

export const CORE_MODULE_NAME = '@azure/functions-core';

let installed = false;

/** Installs the interception once per process; later calls do nothing. */
export function installCoreModule(): void {
  if (installed) return;
  installed = true;
  const original = Module.prototype.require;
  Module.prototype.require = new Proxy(original, {
    apply(target, thisArg, argArray: unknown[]) {
      if (argArray[0] === CORE_MODULE_NAME) return functionsCore;
      return Reflect.apply(target, thisArg, argArray) as unknown;
    },
  });
}
