// Request bodies and parameters, validated at the HTTP boundary with zod. The JSON Schema
// for the OpenAPI document is generated from the same definitions.
import { z } from 'zod';
import { JOB_STATES } from '../jobs/job-types.js';
import { DOCUMENT_SORT_KEYS } from '../store/vector-store.js';

const metadataValue = z.union([z.string().max(1000), z.number().finite(), z.boolean()]);
/**
 * Names JavaScript gives a meaning on every object: as data they would be dropped on copy
 * (zod's records skip `__proto__`, and so does an assignment) or confused with what every
 * object inherits. Refused by name, before zod sees them, rather than silently lost: a
 * filter condition is applied or the request fails, never ignored.
 */
const RESERVED_KEYS = ['__proto__', 'constructor', 'prototype'];
const metadataKey = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'keys use letters, digits, "_", "-" or "." (at most 64)');

function refusingReservedKeys<T extends z.ZodType>(schema: T) {
  return z.preprocess((value, context) => {
    if (value === null || typeof value !== 'object') return value;
    for (const key of RESERVED_KEYS.filter((reserved) => Object.hasOwn(value, reserved))) {
      context.issues.push({ code: 'custom', path: [key], input: value, message: `the key "${key}" is reserved; use another name (${RESERVED_KEYS.join(', ')} cannot be metadata keys)` });
    }
    return value;
  }, schema);
}

export const documentMetadataSchema = refusingReservedKeys(
  z.record(metadataKey, metadataValue).refine((value) => Object.keys(value).length <= 32, 'at most 32 metadata keys'),
);

export const metadataFilterSchema = refusingReservedKeys(
  z.record(metadataKey, z.union([metadataValue, z.array(metadataValue).min(1).max(100)])).refine((value) => Object.keys(value).length <= 16, 'at most 16 filter keys'),
);

// The length limit on query text is configurable, so it is checked in the service with
// the configured value; this bound only stops absurd bodies early.
const queryText = z.string().trim().min(1, 'must not be empty');

const candidates = z.number().int().min(1).max(500).optional();

/** `true`/`false`, or the settings to override: mode, candidates, window, deadline. */
const rerank = z
  .union([
    z.boolean(),
    z.strictObject({
      mode: z.enum(['listwise', 'pointwise', 'sliding']).optional(),
      candidates: z.number().int().min(2).max(200).optional(),
      window: z.number().int().min(2).max(50).optional(),
      deadlineMs: z.number().int().min(50).max(60_000).optional(),
    }),
  ])
  .optional();

export const searchRequestSchema = z.strictObject({
  query: queryText,
  topK: z.number().int().min(1).max(100).default(10),
  candidates,
  filter: metadataFilterSchema.optional(),
  rerank,
});

/** Earlier turns of a conversation; the configured bounds (turns, characters) are checked by the service. */
export const conversationTurnSchema = z.strictObject({
  role: z.enum(['user', 'assistant']),
  content: z.string(),
});

export const askRequestSchema = z.strictObject({
  question: queryText,
  history: z.array(conversationTurnSchema).max(1000).optional(),
  topK: z.number().int().min(1).max(20).default(5),
  candidates,
  filter: metadataFilterSchema.optional(),
  rerank,
  /** false: an extractive answer, no generation model call (what a key over its budget can still get). */
  generate: z.boolean().optional(),
  stream: z.boolean().default(false),
});

// The rerank API (Cohere/Jina shape). Clients send fields Sift does not use (rank_fields,
// max_chunks_per_doc, …), so unknown fields are ignored rather than refused; counts and sizes
// that are configurable are checked by the service.
const rerankDocument = z.union([z.string(), z.looseObject({ text: z.string() })]);
export const rerankApiRequestSchema = z.object({
  model: z.string().trim().min(1).max(200).optional(),
  query: nonBlankText(),
  documents: z.array(rerankDocument).min(1, 'send at least one document').max(100_000),
  top_n: z.number().int().min(1).optional(),
  return_documents: z.boolean().optional(),
  max_tokens_per_doc: z.number().int().min(1).max(1_000_000).optional(),
});
export type RerankApiRequestBody = z.infer<typeof rerankApiRequestSchema>;

const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
  // Date.parse would roll 2024-02-30 over into March; the day must read back as written.
  .refine((day) => isCalendarDay(day), { error: (issue) => `${String(issue.input)} is not a calendar day` });

function isCalendarDay(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
}
export const usageQuerySchema = z
  .object({ from: isoDay.optional(), to: isoDay.optional(), groupBy: z.enum(['key']).optional() })
  .refine((range) => range.from === undefined || range.to === undefined || range.from <= range.to, { message: 'from must not be after to', path: ['from'] });
export type UsageQueryParams = z.infer<typeof usageQuerySchema>;

export const listDocumentsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  sort: z.enum(DOCUMENT_SORT_KEYS).default('source'),
  order: z.enum(['asc', 'desc']).default('asc'),
});

export const listJobsQuerySchema = z.object({
  state: z.enum(JOB_STATES).optional(),
  kind: z.string().trim().min(1).max(50).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListJobsQuery = z.infer<typeof listJobsQuerySchema>;

// Model gateway. Limits that are configurable (message size, max_tokens, number and length
// of texts) are checked by the services with the configured values; these bounds catch
// malformed bodies. Multipart vision requests send numbers as strings, hence `numeric`.
const numeric = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value), schema);
const providerChoice = z.enum(['gemini', 'ollama']).optional();
const modelName = z.string().trim().min(1).max(200).optional();
const maxTokens = numeric(z.number().int().min(1, 'must be at least 1')).optional();
const temperature = numeric(z.number().min(0).max(2)).optional();
function nonBlankText() {
  return z.string().refine((text) => text.trim().length > 0, 'must not be empty');
}
const nonBlank = nonBlankText();

export const chatRequestSchema = z.strictObject({
  message: nonBlank,
  system_prompt: z.string().optional(),
  max_tokens: maxTokens,
  temperature,
  provider: providerChoice,
  model: modelName,
  stream: z.boolean().default(false),
});

export const visionRequestSchema = z.strictObject({
  prompt: nonBlank,
  image_url: z.string().trim().min(1).max(4096).optional(),
  max_tokens: maxTokens,
  temperature,
  provider: providerChoice,
  model: modelName,
});

const label = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^,\r\n]+$/, 'a label has no commas or line breaks')
  .refine((value) => value.toUpperCase() !== 'UNKNOWN', 'UNKNOWN is reserved for answers outside the labels');

/** The label set of a classification (also what the classify CLI checks `--labels` with). */
export const classifyLabelsSchema = z
  .array(label)
  .min(2, 'give at least two labels')
  .max(50, 'at most 50 labels')
  .refine((labels) => new Set(labels.map((value) => value.toLowerCase())).size === labels.length, 'labels must differ (ignoring case)');

export const classifyRequestSchema = z.strictObject({
  texts: z.array(nonBlank).min(1, 'send at least one text'),
  labels: classifyLabelsSchema.optional(),
  instructions: z.string().trim().max(2000).optional(),
  batch_size: z.number().int().min(1).max(200).optional(),
  provider: providerChoice,
  model: modelName,
});

const tokenCount = z.number().int().min(0).max(100_000_000);
export const estimateRequestSchema = z
  .strictObject({
    provider: providerChoice,
    model: modelName,
    input_tokens: tokenCount.optional(),
    output_tokens: tokenCount.optional(),
    texts: z.array(z.string()).min(1).max(1000).optional(),
    requests_per_month: z.number().int().min(0).max(1_000_000_000_000),
  })
  .refine((body) => (body.input_tokens === undefined) !== (body.texts === undefined), {
    message: 'give either input_tokens (per request) or texts (samples of a request\'s input), not both',
    path: ['input_tokens'],
  });

export type ChatRequestBody = z.infer<typeof chatRequestSchema>;
export type VisionRequestBody = z.infer<typeof visionRequestSchema>;
export type ClassifyRequestBody = z.infer<typeof classifyRequestSchema>;
export type EstimateRequestBody = z.infer<typeof estimateRequestSchema>;

export type SearchRequestBody = z.infer<typeof searchRequestSchema>;
export type AskRequestBody = z.infer<typeof askRequestSchema>;
export type ListDocumentsQuery = z.infer<typeof listDocumentsQuerySchema>;

/** A request schema as the JSON Schema the OpenAPI document embeds (what a client sends: `input`). */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
}
