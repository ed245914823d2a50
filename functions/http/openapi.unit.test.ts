/* eslint-disable @typescript-eslint/no-explicit-any -- walking a generated JSON document */
import { openApiDocument } from './openapi';
import { ROUTES } from './schemas';

describe('the OpenAPI document', () => {
  const document = openApiDocument() as { openapi: string; paths: Record<string, Record<string, any>> };

  it('lists every route with its method, parameters and success response', () => {
    expect(document.openapi).toBe('3.1.0');
    for (const [name, route] of Object.entries(ROUTES)) {
      const operation = document.paths[`/api/${route.route}`]?.[route.method.toLowerCase()];
      expect(operation).toMatchObject({ operationId: name });
      expect(operation.responses[route.status].content['application/json'].schema).toBeDefined();
      for (const param of route.route.match(/\{(\w+)\}/g) ?? []) {
        expect(operation.parameters).toContainEqual(expect.objectContaining({ name: param.slice(1, -1), in: 'path', required: true }));
      }
    }
  });

  it('describes request bodies from the same zod schemas the handlers use', () => {
    const body = document.paths['/api/transfers'].post.requestBody.content['application/json'].schema;
    expect(body.required.sort()).toEqual(['amount', 'fromAccountId', 'requestedBy', 'toAccountId']);
    expect(body.properties.amount).toMatchObject({ type: 'integer', minimum: 1, maximum: 1_000_000_000_000 });
    expect(body.additionalProperties).toBe(false);
    expect(document.paths['/api/transfers/{transferId}/decision'].post.responses[409]).toBeDefined();
  });
});
