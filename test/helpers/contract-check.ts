// The OpenAPI contract, checked on real traffic: a vitest setup file for the end-to-end
// suites wraps `fetch`, and every answer a Sift server gives (known by its x-request-id
// header; the model fakes send none) is validated against the document that same server
// serves at /docs/openapi.json, with Ajv: the path and method are documented, the status is,
// the content type is, and a JSON body matches its schema (closed objects refuse fields the
// document does not name). A file's suite fails after its tests when any answer did not.
// The recorder also says which documented operations the traffic reached, so a run of every
// end-to-end suite can fail on a route none of them exercised (contract-coverage.test.ts).
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';

interface OpenApiOperation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, unknown> };
}

interface RecordedAnswer {
  method: string;
  origin: string;
  path: string;
  status: number;
  contentType: string;
  body: string;
}

export interface ContractViolation {
  answer: string;
  problem: string;
}

/** What the checked traffic of one test file reached: the operations documented and those answered. */
export interface ContractCoverage {
  documented: string[];
  /** Operation → the statuses it answered with. */
  reached: Record<string, number[]>;
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

class ServedContract {
  private readonly routes: Array<{ pattern: RegExp; template: string; operations: Record<string, OpenApiOperation> }>;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    document: OpenApiDocument,
    private readonly ajv: Ajv2020,
  ) {
    this.ajv.addSchema({ $id: 'sift-openapi', components: document.components ?? {} });
    this.routes = Object.entries(document.paths).map(([template, operations]) => ({
      template,
      // {name} matches one path segment, as Express's :name does.
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      operations: Object.fromEntries(Object.entries(operations).filter(([method]) => HTTP_METHODS.has(method))),
    }));
  }

  /** Every documented operation, as "METHOD /template". */
  operations(): string[] {
    return this.routes.flatMap((route) => Object.keys(route.operations).map((method) => `${method.toUpperCase()} ${route.template}`));
  }

  /** The documented operation an answer came from, if any. */
  operationOf(answer: RecordedAnswer): string | null {
    const route = this.routes.find((candidate) => candidate.pattern.test(answer.path));
    return route?.operations[answer.method.toLowerCase()] ? `${answer.method.toUpperCase()} ${route.template}` : null;
  }

  check(answer: RecordedAnswer): string | null {
    const route = this.routes.find((candidate) => candidate.pattern.test(answer.path));
    // A path no route serves answers 404 (or 405 for another method) in the error envelope; that is the router's, not a route's.
    // The web console's pages and assets are files, not API, and kept out of the document on purpose.
    if (!route) return answer.status === 404 || !answer.contentType.startsWith('application/json') ? null : `the path is not in the document`;
    const operation = route.operations[answer.method.toLowerCase()];
    if (!operation) return answer.status === 405 || answer.status === 404 ? null : `${answer.method} ${route.template} is not in the document`;
    const response = operation.responses?.[String(answer.status)];
    if (!response) return `status ${answer.status} is not documented for ${answer.method} ${route.template} (documented: ${Object.keys(operation.responses ?? {}).join(', ')})`;
    const mediaType = answer.contentType.split(';')[0]!.trim();
    if (!response.content) return answer.body === '' ? null : `${answer.method} ${route.template} ${answer.status} is documented without a body, but one came (${mediaType})`;
    const media = response.content[mediaType];
    if (!media) return `content type ${mediaType} is not documented for ${answer.method} ${route.template} ${answer.status} (documented: ${Object.keys(response.content).join(', ')})`;
    if (mediaType !== 'application/json' || media.schema === undefined) return null;
    const validate = this.validatorFor(`${answer.method} ${route.template} ${answer.status}`, media.schema);
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return 'the body is not JSON';
    }
    if (validate(body)) return null;
    return (validate.errors ?? []).map((error) => `${error.instancePath || '(body)'} ${error.message}${detailOf(error, body)}`).join('; ');
  }

  private validatorFor(key: string, schema: unknown): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      // Component references (#/components/schemas/X) resolve against the document.
      const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"sift-openapi#/components/')) as object;
      validate = this.ajv.compile(rewritten);
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/** The field or value an Ajv error is about, so the message says what to document. */
function detailOf(error: { keyword: string; instancePath: string; params: Record<string, unknown> }, body: unknown): string {
  if ('additionalProperty' in error.params) return `: ${String(error.params.additionalProperty)}`;
  if (error.keyword !== 'enum' && error.keyword !== 'const') return '';
  const value = error.instancePath
    .split('/')
    .slice(1)
    .reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined), body);
  return ` (got ${JSON.stringify(value)})`;
}

export class ContractRecorder {
  private readonly contracts = new Map<string, Promise<ServedContract>>();
  private readonly answers: RecordedAnswer[] = [];
  private readonly documented = new Set<string>();
  private readonly reached = new Map<string, Set<number>>();
  checked = 0;

  constructor(private readonly fetchImpl: typeof fetch) {}

  /** A `fetch` that records every answer of a Sift server, after getting that server's document. */
  readonly fetch: typeof fetch = async (input, init) => {
    const response = await this.fetchImpl(input, init);
    if (!response.headers.has('x-request-id')) return response;
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname.startsWith('/docs')) return response;
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    // The document is read while the server is surely up: before the caller sees its answer.
    if (!this.contracts.has(url.origin)) this.contracts.set(url.origin, this.loadContract(url.origin));
    await this.contracts.get(url.origin)!.catch(() => undefined);
    const contentType = response.headers.get('content-type') ?? '';
    // A stream is checked by its status and type; its body is the client's to read (and not
    // cloned: an unread clone of a stream can hold up the original).
    const body = contentType.startsWith('text/event-stream') ? '' : await response.clone().text().catch(() => '');
    this.answers.push({ method, origin: url.origin, path: url.pathname, status: response.status, contentType, body });
    return response;
  };

  private async loadContract(origin: string): Promise<ServedContract> {
    const response = await this.fetchImpl(`${origin}/docs/openapi.json`);
    if (!response.ok) throw new Error(`${origin}/docs/openapi.json answered ${response.status}`);
    const document = (await response.json()) as OpenApiDocument;
    // Loaded on first use: most test files never talk to a Sift server.
    const [{ Ajv2020 }, { default: addFormats }] = await Promise.all([import('ajv/dist/2020.js'), import('ajv-formats')]);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (instance: Ajv2020) => void)(ajv);
    return new ServedContract(document, ajv);
  }

  /** Every recorded answer that breaks the contract of the server that gave it. */
  async violations(): Promise<ContractViolation[]> {
    const found: ContractViolation[] = [];
    for (const answer of this.answers.splice(0)) {
      const name = `${answer.method} ${answer.path} → ${answer.status}`;
      let contract: ServedContract;
      try {
        contract = await this.contracts.get(answer.origin)!;
      } catch (error) {
        found.push({ answer: name, problem: `the server's document could not be read: ${error instanceof Error ? error.message : String(error)}` });
        continue;
      }
      this.checked++;
      for (const operation of contract.operations()) this.documented.add(operation);
      const operation = contract.operationOf(answer);
      if (operation) this.reached.set(operation, (this.reached.get(operation) ?? new Set()).add(answer.status));
      const problem = contract.check(answer);
      if (problem) found.push({ answer: name, problem });
    }
    return found;
  }

  /** The operations the answers checked so far came from, and those their documents name. */
  coverage(): ContractCoverage {
    const reached = [...this.reached].sort(([a], [b]) => a.localeCompare(b)).map(([operation, statuses]) => [operation, [...statuses].sort((a, b) => a - b)]);
    return { documented: [...this.documented].sort(), reached: Object.fromEntries(reached) };
  }
}
