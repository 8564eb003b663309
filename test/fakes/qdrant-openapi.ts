// Qdrant's own REST API definition as a validator for the fake Qdrant: every request is
// routed to the operation the document declares for its method and path, its query
// parameters and JSON body are checked against that operation's schemas, and every answer
// the fake gives is checked against the operation's 200 response schema. A request Sift's
// adapter builds wrongly therefore fails the tests the way a real server would refuse it.
//
// The document is test/fakes/qdrant-api/openapi.json (Qdrant v1.19.0, see SOURCE.md there),
// compiled by Ajv (JSON Schema draft-07, which OpenAPI 3.0 schemas are a dialect of). Two
// OpenAPI 3.0 habits need a word to Ajv: schemars writes "or null" as a bare
// `{"nullable": true}` branch of an `anyOf`, which is `{"type": "null"}` in JSON Schema; and
// Qdrant's numeric formats (uint, uint32, float, …) are declared here with their ranges.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// ajv-formats is CommonJS; under ESM its function sits on `default`.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv, formats: string[]) => void;

type Json = Record<string, unknown>;

interface Operation {
  id: string;
  method: string;
  pattern: RegExp;
  body: ValidateFunction | null;
  query: Map<string, { validate: ValidateFunction; type: string | undefined }>;
  response: ValidateFunction | null;
}

export interface MatchedOperation {
  operationId: string;
  /** Path parameters by name, decoded. */
  params: Record<string, string>;
}

export class QdrantApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const DOCUMENT_ID = 'qdrant-openapi.json';

/** Finds openapi.json beside this file (vitest) or in the source tree (the built copy under dist/). */
function documentPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  const beside = join(dir, 'qdrant-api', 'openapi.json');
  if (existsSync(beside)) return beside;
  while (dir !== dirname(dir)) {
    const candidate = join(dir, 'test', 'fakes', 'qdrant-api', 'openapi.json');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('Cannot find test/fakes/qdrant-api/openapi.json (Qdrant\'s API definition) for the fake Qdrant.');
}

/** OpenAPI 3.0 → what Ajv reads: a bare `{nullable: true}` (no type) is the JSON-Schema null type. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const object = node as Json;
  if (object['nullable'] === true && object['type'] === undefined && object['$ref'] === undefined && object['anyOf'] === undefined && object['oneOf'] === undefined) {
    return { type: 'null' };
  }
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, toJsonSchema(value)]));
}

const MAX_F32 = 3.4028234663852886e38;

function createAjv(): Ajv {
  // strict: false because the document carries OpenAPI annotations (example, …) that are not JSON Schema keywords.
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv, ['uuid', 'date-time', 'uri']);
  const integer = (min: number, max: number) => ({ type: 'number' as const, validate: (x: number) => Number.isInteger(x) && x >= min && x <= max });
  ajv.addFormat('uint', integer(0, Number.MAX_SAFE_INTEGER));
  ajv.addFormat('uint64', integer(0, Number.MAX_SAFE_INTEGER));
  ajv.addFormat('uint32', integer(0, 0xffffffff));
  ajv.addFormat('uint8', integer(0, 0xff));
  ajv.addFormat('int64', integer(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
  ajv.addFormat('float', { type: 'number', validate: (x: number) => Number.isFinite(x) && Math.abs(x) <= MAX_F32 });
  ajv.addFormat('double', { type: 'number', validate: (x: number) => Number.isFinite(x) });
  ajv.addFormat('partial-date-time', { type: 'string', validate: () => true });
  return ajv;
}

function pointer(...segments: string[]): string {
  return `${DOCUMENT_ID}#/${segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return 'invalid';
  const where = first.instancePath || '(root)';
  const extra = first.keyword === 'additionalProperties' ? ` \`${String((first.params as { additionalProperty?: string }).additionalProperty)}\`` : '';
  return `${where}: ${first.message ?? first.keyword}${extra}`;
}

export class QdrantApiDefinition {
  readonly version: string;
  private readonly operations: Operation[] = [];

  constructor() {
    const document = toJsonSchema(JSON.parse(readFileSync(documentPath(), 'utf8'))) as Json;
    this.version = String((document['info'] as Json)['version']);
    const ajv = createAjv();
    ajv.addSchema({ ...document, $id: DOCUMENT_ID });
    const paths = document['paths'] as Record<string, Record<string, Json>>;
    for (const [template, methods] of Object.entries(paths)) {
      const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, '(?<$1>[^/]+)')}$`);
      for (const [method, operation] of Object.entries(methods)) {
        const json = ((operation['requestBody'] as Json | undefined)?.['content'] as Json | undefined)?.['application/json'];
        const ok = ((operation['responses'] as Json)['200'] as Json | undefined)?.['content'] as Json | undefined;
        const query = new Map<string, { validate: ValidateFunction; type: string | undefined }>();
        ((operation['parameters'] as Json[] | undefined) ?? []).forEach((parameter, index) => {
          if (parameter['in'] !== 'query') return;
          const schema = parameter['schema'] as Json;
          query.set(String(parameter['name']), {
            validate: ajv.compile({ $ref: pointer('paths', template, method, 'parameters', String(index), 'schema') }),
            type: typeof schema['type'] === 'string' ? schema['type'] : undefined,
          });
        });
        this.operations.push({
          id: String(operation['operationId']),
          method: method.toUpperCase(),
          pattern,
          body: json ? ajv.compile({ $ref: pointer('paths', template, method, 'requestBody', 'content', 'application/json', 'schema') }) : null,
          query,
          response: ok?.['application/json'] ? ajv.compile({ $ref: pointer('paths', template, method, 'responses', '200', 'content', 'application/json', 'schema') }) : null,
        });
      }
    }
  }

  /**
   * The operation a request addresses, after checking its query string and body the way the
   * server's extractors do; throws QdrantApiError(404) for an undeclared route and (400) for
   * a request the document does not allow.
   */
  checkRequest(method: string, path: string, search: URLSearchParams, body: unknown): MatchedOperation {
    const candidates = this.operations.filter((operation) => operation.pattern.test(path));
    const operation = candidates.find((candidate) => candidate.method === method);
    if (!operation) throw new QdrantApiError(404, candidates.length > 0 ? `Method ${method} not allowed on ${path}` : `Not found: ${method} ${path}`);
    for (const [name, raw] of search) {
      const parameter = operation.query.get(name);
      if (!parameter) continue; // actix's Query extractor ignores parameters it does not know
      const value = parameter.type === 'boolean' ? (raw === 'true' ? true : raw === 'false' ? false : raw) : parameter.type === 'integer' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      if (!parameter.validate(value)) throw new QdrantApiError(400, `Query deserialize error: ${name}: ${describeErrors(parameter.validate.errors)}`);
    }
    if (operation.body && body !== undefined && !operation.body(body)) {
      throw new QdrantApiError(400, `Format error in JSON body: ${describeErrors(operation.body.errors)}`);
    }
    const params = Object.fromEntries(Object.entries(operation.pattern.exec(path)!.groups ?? {}).map(([key, value]) => [key, decodeURIComponent(value)]));
    return { operationId: operation.id, params };
  }

  /** Throws when a 200 answer of the fake is not what the document declares for the operation (a bug in the fake). */
  checkResponse(operationId: string, body: unknown): void {
    const operation = this.operations.find((candidate) => candidate.id === operationId);
    if (operation?.response && !operation.response(body)) {
      throw new Error(`The fake Qdrant's answer to ${operationId} does not match Qdrant's API definition: ${describeErrors(operation.response.errors)}`);
    }
  }
}

let shared: QdrantApiDefinition | null = null;

/** Compiled once per process: the document is half a megabyte. */
export function qdrantApiDefinition(): QdrantApiDefinition {
  return (shared ??= new QdrantApiDefinition());
}
