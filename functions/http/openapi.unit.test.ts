/* eslint-disable @typescript-eslint/no-explicit-any -- walking a generated JSON document */
import { openApiDocument } from './openapi';
import { ROUTES } from './routes';

describe('the OpenAPI document', () => {
  const document = openApiDocument() as { openapi: string; paths: Record<string, Record<string, any>> };

  it('lists every route with its method, parameters and success response', () => {
    expect(document.openapi).toBe('3.1.0');
    for (const [name, route] of Object.entries(ROUTES)) {
      const operation = document.paths[`/api/${route.route}`]?.[route.method.toLowerCase()];
      expect(operation).toMatchObject({ operationId: name });
      expect(operation.responses[route.status].content['application/json'].schema).toBeDefined();
      for (const param of route.route.match(/\{(\w+)\}/g) ?? []) {
        expect(operation.parameters).toContainEqual(
          expect.objectContaining({ name: param.slice(1, -1), in: 'path', required: true }),
        );
      }
    }
  });

  it('offers Prefer: wait on the transfer read only, and its Preference-Applied answer header', () => {
    const prefers = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.values(methods)
        .filter((operation) =>
          operation.parameters.some((p: any) => p.name === 'Prefer' && p.in === 'header'),
        )
        .map(() => path),
    );
    expect(prefers).toEqual(['/api/transfers/{transferId}']);
    const read = document.paths['/api/transfers/{transferId}'].get;
    expect(read.parameters.find((p: any) => p.name === 'Prefer').description).toMatch(
      /wait=N.*at most 30.*final or awaiting approval/,
    );
    expect(read.responses[200].headers['Preference-Applied']).toBeDefined();
  });

  it('describes request bodies from the same zod schemas the handlers use', () => {
    const body = document.paths['/api/transfers'].post.requestBody.content['application/json'].schema;
    expect(body.required.sort()).toEqual(['amount', 'fromAccountId', 'toAccountId']);
    // The requester is the signed-in caller: the body may only repeat it.
    expect(body.properties.requestedBy).toBeDefined();
    expect(body.properties.amount).toMatchObject({ type: 'integer', minimum: 1, maximum: 1_000_000_000_000 });
    expect(body.additionalProperties).toBe(false);
    expect(document.paths['/api/transfers/{transferId}/decision'].post.responses[409]).toBeDefined();
  });

  it('describes the event stream routes: an optional digits-only fromVersion, the envelope per event type, 404 and 400', () => {
    for (const path of ['/api/transfers/{transferId}/events', '/api/accounts/{accountId}/events']) {
      const operation = document.paths[path].get;
      expect(operation.parameters).toContainEqual(
        expect.objectContaining({
          name: 'fromVersion',
          in: 'query',
          required: false,
          schema: expect.objectContaining({ type: 'string', pattern: '^[1-9][0-9]{0,14}$' }),
        }),
      );
      expect(operation.responses[404]).toBeDefined();
      expect(operation.responses[400]).toBeDefined();
      const body = operation.responses[200].content['application/json'].schema;
      expect(body.required.sort()).toEqual(['events', 'streamId', 'version']);
      const variants = body.properties.events.items.oneOf as Array<{
        properties: { type: { const: string }; data: { required: string[] } };
      }>;
      const reserved = variants.find((variant) => variant.properties.type.const === 'FundsReserved');
      expect(reserved?.properties.data.required.sort()).toEqual(['accountId', 'amount', 'transferId']);
      expect(variants.map((variant) => variant.properties.type.const)).toEqual(
        expect.arrayContaining(['TransferRequested', 'TransferCompleted', 'CreditsLoaded']),
      );
    }
  });
});
