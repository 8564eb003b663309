// Request bodies and parameters, validated at the HTTP boundary with zod. The JSON Schema
// for the OpenAPI document is generated from the same definitions.
import { z } from 'zod';

const metadataValue = z.union([z.string().max(1000), z.number().finite(), z.boolean()]);
const metadataKey = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'keys use letters, digits, "_", "-" or "." (at most 64)');

export const documentMetadataSchema = z
  .record(metadataKey, metadataValue)
  .refine((value) => Object.keys(value).length <= 32, 'at most 32 metadata keys');

export const metadataFilterSchema = z
  .record(metadataKey, z.union([metadataValue, z.array(metadataValue).min(1).max(100)]))
  .refine((value) => Object.keys(value).length <= 16, 'at most 16 filter keys');

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

export const askRequestSchema = z.strictObject({
  question: queryText,
  topK: z.number().int().min(1).max(20).default(5),
  candidates,
  filter: metadataFilterSchema.optional(),
  rerank,
  stream: z.boolean().default(false),
});

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD');
export const usageQuerySchema = z.object({ from: isoDay.optional(), to: isoDay.optional() });
export type UsageQueryParams = z.infer<typeof usageQuerySchema>;

export const listDocumentsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export type SearchRequestBody = z.infer<typeof searchRequestSchema>;
export type AskRequestBody = z.infer<typeof askRequestSchema>;
export type ListDocumentsQuery = z.infer<typeof listDocumentsQuerySchema>;

export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
