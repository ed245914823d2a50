/**
 * The credential of keyless connections (Cosmos DB, Event Grid) in Azure: one
 * `DefaultAzureCredential` per process (it caches tokens). In a Function App it is the managed
 * identity (`AZURE_CLIENT_ID` names a user-assigned one); on a developer's machine, their Azure CLI
 * or VS Code sign-in. Required lazily, so that the local store and key connections never load
 * @azure/identity.
 */
import type { TokenCredential } from '@azure/identity';

let defaultCredential: TokenCredential | undefined;

export function defaultAzureCredential(): TokenCredential {
  if (!defaultCredential) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const identity = require('@azure/identity') as typeof import('@azure/identity');
    defaultCredential = new identity.DefaultAzureCredential();
  }
  return defaultCredential;
}
