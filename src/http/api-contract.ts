// What a route answers, for the OpenAPI document: each success status with its zod schema
// (response-schemas.ts) and each error status with the codes the route can give, in the
// route's envelope. Every route can also answer 500 INTERNAL, and, unless it is public,
// 401 UNAUTHORIZED when API keys are configured. The served document is what the contract
// test (test/helpers/contract-check.ts) validates every end-to-end answer against.
import { applyDecorators } from '@nestjs/common';
import { ApiQuery, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { ErrorCode } from '../common/errors.js';
import { httpStatusFor } from '../common/http-status-for.js';
import type { ErrorEnvelopeKind } from './error-envelope.js';
import { jsonSchemaOf } from './request-schemas.js';
import { errorEnvelopeSchema, openObjectSchema } from './response-schemas.js';

export interface SuccessSpec {
  description: string;
  /** The JSON body; omitted with `contentType` for a body of another kind. */
  schema?: z.ZodType;
  /** Other media types the status may answer with (a stream, Prometheus text). */
  alsoAs?: string[];
  contentType?: string;
  headers?: Record<string, { description: string }>;
}

export interface ContractOptions {
  /** Codes the route can fail with, beyond INTERNAL (and UNAUTHORIZED on non-public routes). */
  fails?: readonly ErrorCode[];
  envelope?: ErrorEnvelopeKind;
  public?: boolean;
}

/** What the key guard answers on every route that is not public: no key, a key without the role or scope, a key past its rate limit. */
const KEY_FAILURES = [ErrorCode.Unauthorized, ErrorCode.Forbidden, ErrorCode.RateLimited];

/** Failures of any route whose JSON body is parsed and validated. */
export const JSON_BODY_FAILURES = [ErrorCode.MalformedJson, ErrorCode.BodyTooLarge, ErrorCode.ValidationFailed] as const;
/** Failures of any route that reads or writes the store (with REDIS_URL, a write's lease needs Redis). */
export const STORE_FAILURES = [ErrorCode.StoreUnavailable, ErrorCode.StoreTimeout, ErrorCode.RedisUnavailable] as const;
/** Failures of a model call that has no fallback. */
export const PROVIDER_FAILURES = [
  ErrorCode.ProviderRateLimited,
  ErrorCode.ProviderUnavailable,
  ErrorCode.ProviderFailed,
  ErrorCode.ProviderRejected,
  ErrorCode.ProviderBadOutput,
  ErrorCode.ProviderTimeout,
  ErrorCode.ProviderNotConfigured,
  ErrorCode.BudgetExceeded,
] as const;

/** A response schema as the JSON Schema the document embeds (what Sift sends: `output`). */
function openApiSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
}

function errorSchema(envelope: ErrorEnvelopeKind, codes: ErrorCode[]): Record<string, unknown> {
  // The standard APIs answer in their vendor's error body; its code field is theirs.
  return openApiSchemaOf(envelope === 'sift' ? errorEnvelopeSchema(codes) : openObjectSchema);
}

export function Answers(successes: Record<number, SuccessSpec>, options: ContractOptions = {}): MethodDecorator {
  const decorators = Object.entries(successes).map(([status, spec]) => {
    const content: Record<string, { schema?: Record<string, unknown> }> = {};
    if (spec.schema) content['application/json'] = { schema: openApiSchemaOf(spec.schema) };
    if (spec.contentType) content[spec.contentType] = {};
    for (const type of spec.alsoAs ?? []) content[type] = {};
    return ApiResponse({ status: Number(status), description: spec.description, content, ...(spec.headers ? { headers: spec.headers } : {}) });
  });
  const codes = new Set<ErrorCode>([...(options.fails ?? []), ErrorCode.Internal, ...(options.public ? [] : KEY_FAILURES)]);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(httpStatusFor(code), [...(byStatus.get(httpStatusFor(code)) ?? []), code]);
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    decorators.push(
      ApiResponse({ status, description: statusCodes.join(', '), content: { 'application/json': { schema: errorSchema(options.envelope ?? 'sift', statusCodes) } } }),
    );
  }
  return applyDecorators(...decorators);
}

/** The query parameters of a route, from the zod object schema that validates them. */
export function QueryParameters(schema: z.ZodObject): MethodDecorator {
  const json = jsonSchemaOf(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, property]) =>
      ApiQuery({ name, required: json.required?.includes(name) ?? false, schema: property, ...(typeof property.description === 'string' ? { description: property.description } : {}) }),
    ),
  );
}
