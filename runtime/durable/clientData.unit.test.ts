import { durableClientData, managementUrls } from './clientData';

// The SDK's own client class (the package exports only its type).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DurableClient } = require('durable-functions/lib/src/durableClient/DurableClient') as {
  DurableClient: new (data: unknown) => { createHttpManagementPayload(id: string): Record<string, string> };
};

describe('durable client data', () => {
  const data = durableClientData('http://127.0.0.1:4567', 'MyHub');

  test('points the rpc base URL and the URL templates at the host', () => {
    expect(data.rpcBaseUrl).toBe('http://127.0.0.1:4567/runtime/durabletask-rpc/');
    expect(data.requiredQueryStringParameters).toBe('taskHub=MyHub&connection=Storage');
    expect(data.taskHubName).toBe('MyHub');
    expect(data.creationUrls.createNewInstancePostUri).toBe(
      'http://127.0.0.1:4567/runtime/webhooks/durabletask/orchestrators/{functionName}[/{instanceId}]?taskHub=MyHub&connection=Storage',
    );
    expect(data.managementUrls.sendEventPostUri).toBe(
      'http://127.0.0.1:4567/runtime/webhooks/durabletask/instances/INSTANCEID/raiseEvent/{eventName}?taskHub=MyHub&connection=Storage',
    );
  });

  test("is accepted by the SDK's DurableClient, which fills in the instance id", () => {
    const payload = new DurableClient(data).createHttpManagementPayload('abc');
    expect(payload).toEqual(managementUrls('http://127.0.0.1:4567', 'MyHub', 'abc'));
    expect(payload.terminatePostUri).toBe(
      'http://127.0.0.1:4567/runtime/webhooks/durabletask/instances/abc/terminate?reason={text}&taskHub=MyHub&connection=Storage',
    );
  });

  test('encodes instance ids in check-status URLs', () => {
    expect(managementUrls('http://h', 'H', 'a b/c').statusQueryGetUri).toBe(
      'http://h/runtime/webhooks/durabletask/instances/a%20b%2Fc?taskHub=H&connection=Storage',
    );
  });

  test('with a system key, the public URLs carry code= and the SDK still talks to the keyless RPC base', () => {
    const keyed = durableClientData('http://127.0.0.1:4567', 'MyHub', 'k+y/1');
    expect(keyed.rpcBaseUrl).toBe('http://127.0.0.1:4567/runtime/durabletask-rpc/');
    expect(keyed.requiredQueryStringParameters).toBe('taskHub=MyHub&connection=Storage&code=k%2By%2F1');
    expect(keyed.creationUrls.createNewInstancePostUri).toMatch(/&code=k%2By%2F1$/);
    const payload = new DurableClient(keyed).createHttpManagementPayload('abc');
    expect(payload).toEqual(managementUrls('http://127.0.0.1:4567', 'MyHub', 'abc', undefined, 'k+y/1'));
    for (const [name, value] of Object.entries(payload)) {
      if (name !== 'id') expect(new URL(value.replace(/[{}]/g, '')).searchParams.get('code')).toBe('k+y/1');
    }
  });
});
