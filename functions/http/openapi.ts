/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route definitions and the zod
 * schemas the handlers validate and answer with, so the document cannot drift from the code.
 * Served at GET /api/openapi.json; the dashboard's and the simulator's types are generated from it.
 */
import { z } from 'zod';
import type { RouteDefinition } from './route';
import { ROUTES } from './routes';
import { ProblemSchema } from './schemas';
import { MAX_WAIT_SECONDS } from './waitPreference';

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

/** The answer header of a route that honours `Prefer: wait`, on each answer a wait may end in. */
const PREFERENCE_APPLIED = {
  'Preference-Applied': {
    description: '`wait=N` when the request asked to wait',
    schema: { type: 'string' },
  },
};

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

function operation(name: string, route: RouteDefinition): JsonSchema {
  const described: JsonSchema = {
    operationId: name,
    summary: route.summary,
    parameters: [
      ...parameters(route.params, 'path'),
      ...parameters(route.query, 'query'),
      ...(route.idempotencyKey
        ? [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: `Names the ${route.idempotencyKey.field} when the body leaves it out, so a retry is the same request; bound to the first body sent with it (another body: 422 idempotency_key_reused).${route.idempotencyKey.required ? ` Needed unless the body names the ${route.idempotencyKey.field} (400 idempotency_required).` : ''}`,
              schema: { type: 'string', minLength: 1, maxLength: 200 },
            },
          ]
        : []),
      ...(route.waits
        ? [
            {
              name: 'Prefer',
              in: 'header',
              required: false,
              description: `\`wait=N\` (RFC 7240): rather than answer at once, wait up to N seconds (at most ${MAX_WAIT_SECONDS}) ${route.waits}; the answer then says \`Preference-Applied: wait=N\`. Other preferences, \`wait=0\` and a wait that is not a whole number of seconds are ignored.`,
              schema: { type: 'string', examples: ['wait=10'] },
            },
          ]
        : []),
    ],
    responses: {
      [route.status]: {
        description: route.status === 202 ? 'Accepted: the command is stored; poll statusUrl' : 'OK',
        content: { 'application/json': { schema: jsonSchema(route.response, 'output') } },
        ...(route.waits ? { headers: PREFERENCE_APPLIED } : {}),
      },
      ...(route.method === 'GET'
        ? {
            404: route.waits
              ? {
                  ...problem('Not found (after the wait, when one was asked for)'),
                  headers: PREFERENCE_APPLIED,
                }
              : problem('Not found'),
          }
        : { 413: problem('Body over 64 KiB'), 415: problem('Body is not JSON') }),
      ...Object.fromEntries(Object.entries(route.refusals).map(([status, when]) => [status, problem(when)])),
      400: problem(
        [
          'Invalid input; `errors` lists the issues',
          ...(route.refusals[400] ? [route.refusals[400]] : []),
        ].join('; '),
      ),
      ...(route.roles === 'anyone'
        ? {}
        : {
            401: problem('Not signed in (App Service Authentication)'),
            403: problem(
              `Not allowed: needs the role ${route.roles.join(' or ')}, and the rules of the summary`,
            ),
          }),
      503: problem('The store is unavailable'),
    },
  };
  if (route.roles !== 'anyone') {
    described.security = [{ appServiceAuthentication: [] }];
    described['x-roles'] = [...route.roles];
  }
  if (route.body)
    described.requestBody = {
      required: route.body.required,
      content: { 'application/json': { schema: jsonSchema(route.body.schema, 'input') } },
    };
  return described;
}

export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [name, route] of Object.entries(ROUTES) as Array<[string, RouteDefinition]>) {
    const path = `/api/${route.route}`;
    paths[path] = { ...(paths[path] ?? {}), [route.method.toLowerCase()]: operation(name, route) };
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
    components: {
      schemas: { Problem: jsonSchema(ProblemSchema, 'output') },
      securitySchemes: {
        appServiceAuthentication: {
          type: 'http',
          scheme: 'bearer',
          description:
            'App Service Authentication (Easy Auth, Entra ID) in Azure: the platform signs the caller in and passes the principal to the app; locally the host plays it with bearer tokens from its users file.',
        },
      },
    },
  };
}
