/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas the handlers
 * validate with (functions/http/schemas.ts), so the document cannot drift from the code.
 * Served at GET /api/openapi.json.
 */
import { z } from 'zod';
import { ProblemSchema, ROUTES } from './schemas';

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    schema: property,
  }));
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [name, route] of Object.entries(ROUTES)) {
    const definition = route as {
      method: string;
      route: string;
      summary: string;
      status: number;
      params?: z.ZodType;
      query?: z.ZodType;
      body?: z.ZodType;
      response: z.ZodType;
    };
    const operation: JsonSchema = {
      operationId: name,
      summary: definition.summary,
      parameters: [
        ...parameters(definition.params, 'path'),
        ...parameters(definition.query, 'query'),
        ...(definition.body &&
        definition.method === 'POST' &&
        name !== 'decideTransfer' &&
        name !== 'closeAccount'
          ? [
              {
                name: 'Idempotency-Key',
                in: 'header',
                required: false,
                schema: { type: 'string', minLength: 1, maxLength: 200 },
              },
            ]
          : []),
      ],
      responses: {
        [definition.status]: {
          description: definition.status === 202 ? 'Accepted: the command is stored; poll statusUrl' : 'OK',
          content: { 'application/json': { schema: jsonSchema(definition.response, 'output') } },
        },
        400: problem('Invalid input; `errors` lists the issues'),
        ...(definition.method === 'GET'
          ? { 404: problem('Not found') }
          : { 413: problem('Body over 64 KiB'), 415: problem('Body is not JSON') }),
        ...(name === 'decideTransfer'
          ? { 404: problem('Unknown transfer'), 409: problem('The transfer is not awaiting approval') }
          : {}),
        503: problem('The store is unavailable'),
      },
    };
    if (definition.body)
      operation.requestBody = {
        required: name !== 'closeAccount',
        content: { 'application/json': { schema: jsonSchema(definition.body, 'input') } },
      };
    const path = `/api/${definition.route}`;
    paths[path] = { ...(paths[path] ?? {}), [definition.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cardflow API',
      version: '0.1.0',
      description:
        'Commands are accepted with 202 and handled asynchronously; errors are RFC 9457 problem details.',
    },
    paths,
    components: { schemas: { Problem: jsonSchema(ProblemSchema, 'output') } },
  };
}
