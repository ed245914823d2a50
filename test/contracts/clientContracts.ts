/**
 * The clients' contract files, generated from the OpenAPI document (built in-process from the zod
 * route schemas, as `GET /api/openapi.json` serves it): for each operation a client uses, the
 * TypeScript types of its answer, its body and its query. The dashboard cannot import the app's
 * Node modules and the simulator talks to the host only over HTTP, so both read their types from
 * these files; `clientContracts.unit.test.ts` fails when a file is stale and rewrites it when
 * `UPDATE_CONTRACTS=1`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { openApiDocument } from '../../functions/http/openapi';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface ContractTarget {
  /** Relative to the repository root. */
  file: string;
  /** Who reads the file, for its header. */
  client: string;
  /** The operationIds (route names) the client calls. */
  operations: readonly string[];
  /** Constants taken from a path parameter's `pattern`, as RegExps: name → where. */
  patterns?: Readonly<Record<string, { operation: string; parameter: string }>>;
}

export const TARGETS: readonly ContractTarget[] = [
  {
    file: 'web/src/contracts.generated.ts',
    client: 'the dashboard (web/src/contracts.ts)',
    operations: [
      'listApprovals',
      'decideTransfer',
      'cancelTransfer',
      'getCommand',
      'getTransfer',
      'getAccount',
      'getStatement',
      'getTransferEvents',
      'getAccountEvents',
      'listReasons',
    ],
    patterns: { ID_PATTERN: { operation: 'getTransfer', parameter: 'transferId' } },
  },
  {
    file: 'simulator/contracts.generated.ts',
    client: 'the simulator (simulator/api.ts)',
    operations: [
      'openAccount',
      'loadCredits',
      'requestTransfer',
      'decideTransfer',
      'getCommand',
      'getAccount',
      'getTransfer',
      'listApprovals',
    ],
  },
];

type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  description?: string;
};

interface Operation {
  operationId: string;
  summary?: string;
  parameters?: Array<{ name: string; in: string; required: boolean; schema: JsonSchema }>;
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A JSON schema (the subset zod's toJSONSchema emits) as a TypeScript type. */
export function typeOf(schema: JsonSchema): string {
  if ('const' in schema) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) return variants.map((variant) => `(${typeOf(variant)})`).join(' | ');
  if (schema.allOf) return schema.allOf.map((part) => `(${typeOf(part)})`).join(' & ');
  if (Array.isArray(schema.type)) return schema.type.map((type) => typeOf({ ...schema, type })).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `Array<${schema.items ? typeOf(schema.items) : 'unknown'}>`;
    case 'object':
      return objectType(schema);
    default:
      return 'unknown';
  }
}

function objectType(schema: JsonSchema): string {
  const properties = Object.entries(schema.properties ?? {});
  const extra = schema.additionalProperties;
  if (properties.length === 0 && extra !== false) {
    return `Record<string, ${typeof extra === 'object' ? typeOf(extra) : 'unknown'}>`;
  }
  const required = new Set(schema.required ?? []);
  const members = properties.map(([name, property]) => {
    const key = IDENTIFIER.test(name) ? name : JSON.stringify(name);
    const doc = property.description ? `/** ${property.description} */\n` : '';
    return `${doc}${key}${required.has(name) ? '' : '?'}: ${typeOf(property)};`;
  });
  return `{\n${members.join('\n')}\n}`;
}

const pascal = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

function operations(
  document: Record<string, unknown>,
): Map<string, Operation & { method: string; path: string }> {
  const found = new Map<string, Operation & { method: string; path: string }>();
  const paths = document.paths as Record<string, Record<string, Operation>>;
  for (const [route, methods] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      found.set(operation.operationId, { ...operation, method: method.toUpperCase(), path: route });
    }
  }
  return found;
}

/**
 * The types of one operation: `<Name>Response`, and `<Name>Body` / `<Name>Query` when it has them.
 * A type already emitted under another name (`seen`: type text → name) becomes an alias of it.
 */
function operationTypes(
  operation: Operation & { method: string; path: string },
  seen: Map<string, string>,
): string {
  const name = pascal(operation.operationId);
  const lines = [
    `// ---- ${operation.method} ${operation.path}: ${operation.summary ?? operation.operationId}`,
  ];
  const declare = (typeName: string, type: string) => {
    lines.push(`export type ${typeName} = ${seen.get(type) ?? type};`);
    if (!seen.has(type)) seen.set(type, typeName);
  };
  const success = Object.entries(operation.responses).find(([status]) => status.startsWith('2'));
  const answer = success?.[1].content?.['application/json']?.schema;
  if (!answer) throw new Error(`${operation.operationId} has no JSON answer in the OpenAPI document`);
  declare(`${name}Response`, typeOf(answer));
  const body = operation.requestBody?.content['application/json']?.schema;
  if (body) declare(`${name}Body`, typeOf(body));
  const query = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query');
  if (query.length > 0) {
    const schema: JsonSchema = {
      type: 'object',
      properties: Object.fromEntries(query.map((parameter) => [parameter.name, parameter.schema])),
      required: query.filter((parameter) => parameter.required).map((parameter) => parameter.name),
      additionalProperties: false,
    };
    declare(`${name}Query`, typeOf(schema));
  }
  return lines.join('\n');
}

/** The source of one target's file, before formatting. */
export function renderContracts(document: Record<string, unknown>, target: ContractTarget): string {
  const known = operations(document);
  const seen = new Map<string, string>();
  const sections = target.operations.map((operationId) => {
    const operation = known.get(operationId);
    if (!operation) throw new Error(`${target.file}: no operation ${operationId} in the OpenAPI document`);
    return operationTypes(operation, seen);
  });
  const constants = Object.entries(target.patterns ?? {}).map(([name, where]) => {
    const parameter = known.get(where.operation)?.parameters?.find((p) => p.name === where.parameter);
    const pattern = (parameter?.schema as { pattern?: string } | undefined)?.pattern;
    if (!pattern) throw new Error(`${target.file}: ${where.operation} has no pattern for ${where.parameter}`);
    return `/** The \`${where.parameter}\` rule of ${where.operation}. */\nexport const ${name} = new RegExp(${JSON.stringify(pattern)});\n`;
  });
  return [
    '/**',
    ` * GENERATED from the HTTP API's OpenAPI document (GET /api/openapi.json) by test/contracts; do`,
    ` * not edit. The types of the operations ${target.client} calls.`,
    ' * Regenerate: UPDATE_CONTRACTS=1 npx jest test/contracts',
    ' */',
    '',
    ...constants,
    ...sections.flatMap((section) => [section, '']),
  ].join('\n');
}

/** The file a target should hold now: rendered from the current schemas, formatted as the tree is. */
export function expectedContracts(target: ContractTarget): string {
  // prettier's CLI, not its API: the API loads its plugins by dynamic import, which jest's CommonJS refuses.
  const prettier = spawnSync(
    path.join(REPO_ROOT, 'node_modules', '.bin', 'prettier'),
    ['--stdin-filepath', target.file],
    { cwd: REPO_ROOT, input: renderContracts(openApiDocument(), target), encoding: 'utf8' },
  );
  if (prettier.status !== 0) throw new Error(`prettier failed on ${target.file}: ${prettier.stderr}`);
  return prettier.stdout;
}
