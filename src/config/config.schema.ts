// The environment Sift reads at start, as one zod schema: every variable, its default and
// what is allowed. `.env.example` documents the same list for people.
import { availableParallelism } from 'node:os';
import { z } from 'zod';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const commaList = z
  .string()
  .default('')
  .transform((raw) =>
    raw
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  );

const provider = z.enum(['none', 'gemini', 'ollama']).default('none');

const jsonObject = z.string().transform((raw, context) => {
  try {
    const value: unknown = JSON.parse(raw);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  context.addIssue({ code: 'custom', message: 'must be a JSON object' });
  return z.NEVER;
});

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  SIFT_STORE: z.enum(['sqlite', 'qdrant']).default('sqlite'),
  /** SQLite store: BM25 from an in-memory index per searched collection, or from FTS5 on every query. */
  SQLITE_LEXICAL_INDEX: z.enum(['memory', 'fts5']).default('memory'),
  /**
   * Where the in-memory index is built from text: on the event loop in slices (default), or in a
   * worker thread with its own read-only connection (faster under load; experimental: servers
   * running it died by a signal in some bench runs, cause not found yet).
   */
  SQLITE_INDEX_BUILD: z.enum(['threads', 'event-loop', 'worker']).default('threads'),
  /**
   * SQLite store, dense search: `none` compares the query with every float vector (exact);
   * `bit` ranks sign bits first and rescores SQLITE_DENSE_OVERSAMPLING × k candidates exactly.
   */
  SQLITE_DENSE_QUANTIZATION: z.enum(['none', 'bit']).default('none'),
  SQLITE_DENSE_OVERSAMPLING: z.coerce.number().int().min(1).max(1000).default(160),
  // Qdrant store (SIFT_STORE=qdrant). Shards, replicas, quantization and payload placement
  // apply when Sift creates its Qdrant collections; change them on an existing cluster in Qdrant.
  QDRANT_URL: z.url().default('http://127.0.0.1:6333'),
  QDRANT_API_KEY: z.string().min(1).optional(),
  QDRANT_COLLECTION_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{0,48}$/, 'letters, digits, "_" and "-" only (at most 48)')
    .default('sift_'),
  QDRANT_TIMEOUT_MS: positiveInt(30_000),
  QDRANT_SHARDS: positiveInt(1),
  QDRANT_REPLICATION_FACTOR: positiveInt(1),
  QDRANT_QUANTIZATION: z.enum(['none', 'scalar', 'binary']).default('none'),
  QDRANT_ON_DISK_PAYLOAD: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /**
   * Redis (or Valkey) shared by every replica: rate limits, budgets, usage, the rerank and
   * query-embedding caches and document write leases. Unset: a single server keeps all of that locally.
   */
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379' })
    .optional(),
  /** Prefix of every Redis key Sift writes, so deployments sharing one Redis stay apart. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{0,64}$/, 'letters, digits and "_:.-" only (at most 64)')
    .default('sift:'),
  /**
   * With REDIS_URL: the rerank and query-embedding caches shared by every replica, behind each
   * one's own LRU. An entry lives this long; all entries together stay under the bound (the
   * oldest go first); 0 MB keeps the caches per replica.
   */
  SHARED_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(30 * 24 * 3600).default(24 * 3600),
  SHARED_CACHE_MAX_MB: z.coerce.number().min(0).max(1024 * 1024).default(64),
  SIFT_API_KEYS: commaList,
  /** The web console at `/` (static files of the built `web/` folder); `false` leaves `/` unanswered. */
  SIFT_UI: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  /** Where the built console lives; unset is `dist/web` of this package (what `npm run build` writes). */
  SIFT_UI_DIR: z.string().min(1).optional(),
  /** HTTP worker processes sharing the port (node:cluster); `auto` is one per core. */
  SIFT_WORKERS: z
    .string()
    .default('1')
    .transform((raw, context) => {
      if (raw === 'auto') return availableParallelism();
      const count = Number(raw);
      if (Number.isInteger(count) && count >= 1 && count <= 64) return count;
      context.addIssue({ code: 'custom', message: 'must be a whole number from 1 to 64, or "auto"' });
      return z.NEVER;
    }),
  /** How long a client may take to send its request headers, and its whole request (body included). */
  HTTP_HEADERS_TIMEOUT_MS: positiveInt(20_000),
  HTTP_REQUEST_TIMEOUT_MS: positiveInt(10 * 60_000),
  MAX_UPLOAD_BYTES: positiveInt(50 * 1024 * 1024),
  MAX_UPLOAD_FILES: positiveInt(50),
  MAX_QUERY_CHARS: positiveInt(2000),
  // Background jobs: an upload with more files or more bytes than these answers 202 with a job.
  JOB_THRESHOLD_FILES: positiveInt(20),
  JOB_THRESHOLD_BYTES: positiveInt(10 * 1024 * 1024),
  /** Jobs running at once; the rest wait in `queued`. */
  JOB_CONCURRENCY: positiveInt(1),
  /** Finished jobs are forgotten after this many hours (checked at start). */
  JOB_RETENTION_HOURS: positiveInt(7 * 24),
  /** Starts a job may get: one left running by this many stops in a row is failed, not resumed. */
  JOB_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(3),
  /**
   * With REDIS_URL: how long a replica's hold on a running job lasts without renewal. A job
   * whose replica died is taken over by another within about one and a half times this.
   */
  JOB_LOCK_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  /**
   * With REDIS_URL: a folder every replica can read and write (a shared volume, NFS), for
   * spooled upload files too large for Redis. Unset: those stay on the disk of the replica that
   * took the upload, and only that replica can resume its job.
   */
  JOB_SPOOL_DIR: z.string().min(1).optional(),
  /** With REDIS_URL: spooled upload files up to this size go into Redis; larger ones to JOB_SPOOL_DIR. 0: none into Redis. */
  JOB_SPOOL_REDIS_MAX_BYTES: z.coerce.number().int().min(0).max(64 * 1024 * 1024).default(1024 * 1024),
  /** Files ingested at once by one upload, one job or the ingest CLI (its default for --concurrency). */
  INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  // Parsing runs in child processes, each file inside a heap and a time limit.
  /** Parser processes; `auto` is one per core. */
  PARSE_WORKERS: z
    .string()
    .default('auto')
    .transform((raw, context) => {
      if (raw === 'auto') return Math.max(1, availableParallelism());
      const count = Number(raw);
      if (Number.isInteger(count) && count >= 1 && count <= 64) return count;
      context.addIssue({ code: 'custom', message: 'must be a whole number from 1 to 64, or "auto"' });
      return z.NEVER;
    }),
  /** Heap of one parser process, in MiB; a file that needs more fails alone with FILE_TOO_COMPLEX. */
  PARSE_HEAP_MB: z.coerce.number().int().min(64).max(16_384).default(1024),
  /** Time one file may take to parse and chunk. */
  PARSE_TIMEOUT_MS: positiveInt(60_000),
  /** How far a DOCX may expand when unpacked (all its parts together). */
  DOCX_MAX_EXPANDED_BYTES: positiveInt(64 * 1024 * 1024),
  /** Deepest element nesting an HTML file may have (real pages stay far below). */
  HTML_MAX_DEPTH: z.coerce.number().int().min(16).max(100_000).default(512),
  CHUNK_TOKENS: positiveInt(300),
  CHUNK_OVERLAP_TOKENS: z.coerce.number().int().min(0).default(40),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /** `json`: one JSON object per line (for log shippers); `pretty`: lines for a person. */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('pretty'),

  // OpenTelemetry (the standard variables): set an endpoint to export spans over OTLP/HTTP.
  // The exporter also reads OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT and _COMPRESSION itself, and
  // OTEL_RESOURCE_ATTRIBUTES adds resource attributes.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** Overrides the traces address (the full URL, `/v1/traces` included). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('sift'),
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  /** always_on | always_off | traceidratio | parentbased_always_on (default) | parentbased_always_off | parentbased_traceidratio */
  OTEL_TRACES_SAMPLER: z.enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio']).default('parentbased_always_on'),
  /** The ratio for the *traceidratio samplers, 0 to 1. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),

  // Model providers, chosen per stage. `none` is always valid: Sift then says what it does without.
  EMBEDDINGS_PROVIDER: provider,
  EMBEDDINGS_MODEL: z.string().min(1).optional(),
  /** Output size for models that can shorten their vectors (Gemini); 768 keeps storage and k-NN cheap. */
  EMBEDDINGS_DIMENSIONS: z.coerce.number().int().min(8).max(4096).optional(),
  RERANK_PROVIDER: provider,
  RERANK_MODEL: z.string().min(1).optional(),
  GENERATION_PROVIDER: provider,
  GENERATION_MODEL: z.string().min(1).optional(),
  GOOGLE_API_KEY: z.string().min(1).optional(),
  GEMINI_BASE_URL: z.url().optional(),
  OLLAMA_BASE_URL: z.url().default('http://127.0.0.1:11434'),
  /** Per-call time budget for embedding and generation calls. */
  MODEL_TIMEOUT_MS: positiveInt(30_000),
  /** Time budget for the whole written answer; past it `ask` answers extractively. */
  GENERATION_TIMEOUT_MS: positiveInt(20_000),
  MODEL_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  EMBEDDING_BATCH_SIZE: positiveInt(64),
  EMBEDDING_CONCURRENCY: positiveInt(4),
  QUERY_EMBEDDING_CACHE_SIZE: z.coerce.number().int().min(0).default(1000),
  /** Reciprocal rank fusion: k and the weight of each retriever. */
  RRF_K: positiveInt(60),
  RRF_WEIGHT_LEXICAL: z.coerce.number().min(0).default(1),
  RRF_WEIGHT_DENSE: z.coerce.number().min(0).default(1),
  /** Where hybrid results are fused: in the store when it can (Qdrant's Query API), or always in Sift. */
  HYBRID_FUSION: z.enum(['store', 'sift']).default('store'),
  /** Fold passages with the same or nearly the same text into one result that lists the others (alsoIn). */
  SEARCH_COLLAPSE_DUPLICATES: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  /** Rerank defaults; a request can override mode, candidates, window and deadline. */
  RERANK_BY_DEFAULT: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  RERANK_MODE: z.enum(['listwise', 'pointwise', 'sliding']).default('listwise'),
  RERANK_CANDIDATES: z.coerce.number().int().min(2).max(200).default(50),
  RERANK_WINDOW: z.coerce.number().int().min(2).max(50).default(20),
  RERANK_BATCH_SIZE: z.coerce.number().int().min(1).max(50).default(10),
  RERANK_CONCURRENCY: positiveInt(8),
  RERANK_PASSAGE_TOKENS: z.coerce.number().int().min(16).max(2000).default(128),
  RERANK_DEADLINE_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  RERANK_CACHE_SIZE: z.coerce.number().int().min(0).default(1000),
  /** Conversations (`ask` history, chat completions): earlier turns and their characters. */
  CONVERSATION_MAX_TURNS: z.coerce.number().int().min(1).max(1000).default(20),
  CONVERSATION_MAX_CHARS: positiveInt(24_000),
  /** Rewriting a follow-up into a standalone query with the fast model: its time budget and cache. */
  REWRITE_DEADLINE_MS: z.coerce.number().int().min(50).max(60_000).default(1500),
  REWRITE_CACHE_SIZE: z.coerce.number().int().min(0).default(1000),
  /** POST /v1/rerank: characters per document (1,000 documents at most). */
  RERANK_API_MAX_DOCUMENT_CHARS: positiveInt(8000),
  /** Price overrides, USD per million tokens, as JSON: {"model-name": {"input": 0.25, "output": 1.5}}. */
  MODEL_PRICES: jsonObject.optional(),

  // Model gateway (chat, vision, classify). Unset: chat uses the generation stage's model,
  // vision and classify use chat's; `none` turns an endpoint off.
  CHAT_PROVIDER: z.enum(['none', 'gemini', 'ollama']).optional(),
  CHAT_MODEL: z.string().min(1).optional(),
  VISION_PROVIDER: z.enum(['none', 'gemini', 'ollama']).optional(),
  VISION_MODEL: z.string().min(1).optional(),
  CLASSIFY_PROVIDER: z.enum(['none', 'gemini', 'ollama']).optional(),
  CLASSIFY_MODEL: z.string().min(1).optional(),
  /** More models a request may name (and estimates compare): `provider:model`, comma separated. */
  GATEWAY_MODELS: commaList.pipe(
    z.array(z.string().regex(/^(gemini|ollama):\S+$/, 'entries are provider:model with provider gemini or ollama, e.g. ollama:gemma3:4b')),
  ),
  /** Time budget of one chat or vision answer, retries included. */
  GATEWAY_TIMEOUT_MS: positiveInt(60_000),
  CHAT_MAX_MESSAGE_CHARS: positiveInt(32_000),
  CHAT_MAX_OUTPUT_TOKENS: positiveInt(8192),
  VISION_MAX_IMAGE_BYTES: positiveInt(10 * 1024 * 1024),
  VISION_FETCH_TIMEOUT_MS: positiveInt(10_000),
  /** Lets image URLs reach private, loopback and link-local addresses (off: the endpoint cannot probe internal services). */
  VISION_ALLOW_PRIVATE_URLS: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  CLASSIFY_MAX_TEXTS: positiveInt(10_000),
  CLASSIFY_MAX_TEXT_CHARS: positiveInt(2000),
  /** Requests with more texts than this become a background job. */
  CLASSIFY_SYNC_MAX_TEXTS: positiveInt(1000),
  CLASSIFY_BATCH_SIZE: z.coerce.number().int().min(1).max(200).default(50),
  CLASSIFY_CONCURRENCY: positiveInt(4),
});

export type AppConfigValues = z.infer<typeof configSchema>;
