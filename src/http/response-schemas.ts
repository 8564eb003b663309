// Response bodies, as zod schemas: the OpenAPI document's response schemas are generated
// from them (api-contract.ts), and the compile-time checks at the end hold them equal to the
// types the services return, so the code and the document cannot disagree. Closed objects
// (strictObject) are the shapes Sift owns whole; open ones (looseObject) name the fields a
// client can rely on and may carry more.
import { z } from 'zod';
import { ErrorCode } from '../common/errors.js';
import { JOB_STATES } from '../jobs/job-types.js';
import { ROLES } from '../auth/roles.js';
import { DOCUMENT_SORT_KEYS } from '../store/vector-store.js';
import type { AskResponse } from '../answer/answer-types.js';
import type { SearchResponse } from '../retrieval/search-types.js';

const metadataValue = z.union([z.string(), z.number(), z.boolean()]);
const documentMetadata = z.record(z.string(), metadataValue);
const modelStage = z.enum(['embed', 'rewrite', 'rerank', 'generate', 'chat', 'vision', 'classify']);
const providerName = z.enum(['gemini', 'ollama']);

/** `{error: {code, message, details?}}` with the codes a route can answer with. */
export function errorEnvelopeSchema(codes: readonly ErrorCode[]) {
  return z.strictObject({
    error: z.strictObject({
      code: z.enum(codes as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  });
}

export const stageUsageSchema = z.strictObject({
  stage: modelStage,
  provider: providerName,
  model: z.string(),
  calls: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  totalTokens: z.number().int(),
  costUsd: z.number(),
});

export const usageSummarySchema = z.strictObject({ stages: z.array(stageUsageSchema), totalTokens: z.number().int(), costUsd: z.number() });

export const queryTraceSchema = z.strictObject({
  stages: z.array(
    z.strictObject({ stage: z.string(), startMs: z.number().describe('When the stage began, in ms after the trace began'), ms: z.number(), detail: z.record(z.string(), z.unknown()).optional() }),
  ),
  notes: z.array(z.string()),
  totalMs: z.number(),
  traceId: z.string().regex(/^[0-9a-f]{32}$/).optional().describe('The OpenTelemetry trace id of this request, when tracing is on'),
});

const duplicateSourceSchema = z.strictObject({ chunkId: z.string(), documentId: z.string(), source: z.string() });

/** Where a passage comes from: search results and citations both name it so. */
const passageOrigin = {
  chunkId: z.string(),
  documentId: z.string(),
  source: z.string(),
  title: z.string().nullable(),
  headingPath: z.array(z.string()),
  page: z.number().int().nullable(),
};

export const rankedChunkSchema = z.strictObject({
  rank: z.number().int(),
  ...passageOrigin,
  text: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  contentHash: z.string(),
  metadata: documentMetadata,
  score: z.number(),
  scores: z.strictObject({ lexical: z.number().optional(), dense: z.number().optional(), fused: z.number().optional(), rerank: z.number().optional() }),
  retrievalRank: z.number().int(),
  rerankRank: z.number().int().nullable(),
  alsoIn: z.array(duplicateSourceSchema).optional(),
});

const retrievalMode = z.enum(['lexical', 'hybrid']);

export const searchResponseSchema = z.strictObject({
  query: z.string(),
  retrieval: retrievalMode,
  results: z.array(rankedChunkSchema),
  usage: usageSummarySchema,
  trace: queryTraceSchema,
});

export const citationSchema = z.strictObject({
  n: z.number().int(),
  ...passageOrigin,
  snippet: z.string(),
});

export const askResponseSchema = z.strictObject({
  question: z.string(),
  query: z.string(),
  rewrite: z.enum(['model', 'rule', 'none']),
  answer: z.string(),
  found: z.boolean(),
  mode: z.enum(['generated', 'extractive']),
  citations: z.array(citationSchema),
  note: z.string().nullable(),
  retrieval: retrievalMode,
  usage: usageSummarySchema,
  trace: queryTraceSchema,
});

// Store and job records: the fields clients use, open for what the store adds.
const collectionInfoSchema = z.looseObject({ name: z.string(), documentCount: z.number().int(), chunkCount: z.number().int() });
export const collectionsListSchema = z.strictObject({ collections: z.array(collectionInfoSchema) });
export const collectionDeletedSchema = z.strictObject({ collection: z.string(), deleted: z.literal(true) });

const storedDocumentSchema = z.looseObject({ id: z.string(), source: z.string(), title: z.string().nullable(), chunkCount: z.number().int(), metadata: documentMetadata });
export const documentsListSchema = z.strictObject({
  collection: z.string(),
  documents: z.array(storedDocumentSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  sort: z.enum(DOCUMENT_SORT_KEYS),
  order: z.enum(['asc', 'desc']),
});
export const documentWithChunksSchema = storedDocumentSchema.extend({ chunks: z.array(z.looseObject({ id: z.string(), text: z.string() })) });
export const documentDeletedSchema = z.strictObject({ collection: z.string(), id: z.string(), deleted: z.literal(true) });

const fileOutcomeSchema = z.looseObject({ file: z.string(), status: z.enum(['created', 'updated', 'unchanged', 'failed']) });
const uploadSummarySchema = z.strictObject({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), failed: z.number().int() });
export const uploadResultSchema = z.strictObject({ collection: z.string(), documents: z.array(fileOutcomeSchema), summary: uploadSummarySchema });

export const jobViewSchema = z.looseObject({ id: z.string(), kind: z.string(), state: z.enum(JOB_STATES) });
export const jobEnvelopeSchema = z.strictObject({ job: jobViewSchema });
export const jobsListSchema = z.strictObject({ jobs: z.array(jobViewSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

export const usageReportSchema = z.looseObject({ rows: z.array(z.looseObject({ day: z.string(), stage: modelStage, provider: providerName, model: z.string() })), totals: z.looseObject({}) });

export const healthSchema = z.strictObject({ status: z.literal('ok') });
export const readySchema = z.strictObject({ status: z.literal('ready'), checks: z.looseObject({ store: z.literal('ok') }) });

// Keys (admin): what the key store returns, never a secret except once, on creation.
const apiKeySchema = z.looseObject({ name: z.string(), role: z.enum(ROLES) });
export const keyCreatedSchema = z.strictObject({ key: apiKeySchema, secret: z.string() });
export const keysListSchema = z.strictObject({ keys: z.array(apiKeySchema) });
export const keyDeletedSchema = z.strictObject({ name: z.string(), deleted: z.literal(true) });

// Settings (read only): which model serves each stage, the store, defaults and limits.
const stageSettingSchema = z.strictObject({ provider: z.enum(['gemini', 'ollama', 'none']), model: z.string().nullable(), effect: z.string() });
export const settingsSchema = z.strictObject({
  stages: z.strictObject({ embeddings: stageSettingSchema, rerank: stageSettingSchema, generation: stageSettingSchema, chat: stageSettingSchema, vision: stageSettingSchema, classify: stageSettingSchema }),
  store: z.looseObject({ kind: z.enum(['sqlite', 'qdrant']) }),
  retrieval: z.strictObject({ mode: retrievalMode, fusion: z.enum(['store', 'sift']), rrf: z.strictObject({ k: z.number().int(), weightLexical: z.number(), weightDense: z.number() }) }),
  rerank: z.strictObject({
    byDefault: z.boolean(),
    mode: z.enum(['listwise', 'pointwise', 'sliding']),
    candidates: z.number().int(),
    window: z.number().int(),
    deadlineMs: z.number().int(),
    passageTokens: z.number().int(),
  }),
  limits: z.record(z.string(), z.number()),
  auth: z.strictObject({ apiKeysRequired: z.boolean() }),
});

/** Gateway and standard-API answers: open objects in their standard's shape. */
export const openObjectSchema = z.looseObject({});

// Compile-time: the schemas above and the services' types are the same shapes.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShapes: [Same<z.infer<typeof searchResponseSchema>, SearchResponse>, Same<z.infer<typeof askResponseSchema>, AskResponse>] = [true, true];
void sameShapes;
