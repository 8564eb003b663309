// Reads and validates the configuration once, at start. A bad value stops the process with
// a message that names the variable and says what is allowed.
import { z } from 'zod';
import { configSchema, type AppConfigValues } from './config.schema.js';
import { DEFAULT_MODELS, type ProviderChoice, type StageModel } from '../providers/provider-types.js';
import { parsePriceOverrides, type ModelPrice } from '../usage/price-table.js';
import { SINGLE_PROCESS, processRoleFrom, type ProcessRole } from '../cluster/process-role.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const variable = issue.path.join('.');
  const given = env[variable];
  const shown = given === undefined ? '' : ` (got "${given.length > 60 ? `${given.slice(0, 60)}…` : given}")`;
  return `${variable}${shown}: ${issue.message}`;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  // Empty strings in .env files mean "not set": let the default apply.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => describeIssue(issue, env)));
  }
  if (parsed.data.CHUNK_OVERLAP_TOKENS >= parsed.data.CHUNK_TOKENS) {
    throw new ConfigError([
      `CHUNK_OVERLAP_TOKENS (got "${parsed.data.CHUNK_OVERLAP_TOKENS}"): must be smaller than CHUNK_TOKENS (${parsed.data.CHUNK_TOKENS})`,
    ]);
  }
  const values = parsed.data;
  const problems: string[] = [];
  if (values.HTTP_HEADERS_TIMEOUT_MS > values.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push(`HTTP_HEADERS_TIMEOUT_MS (got "${values.HTTP_HEADERS_TIMEOUT_MS}"): must not be larger than HTTP_REQUEST_TIMEOUT_MS (${values.HTTP_REQUEST_TIMEOUT_MS})`);
  }
  const usesGemini =
    [values.EMBEDDINGS_PROVIDER, values.RERANK_PROVIDER, values.GENERATION_PROVIDER, values.CHAT_PROVIDER, values.VISION_PROVIDER, values.CLASSIFY_PROVIDER].includes('gemini') ||
    values.GATEWAY_MODELS.some((entry) => entry.startsWith('gemini:'));
  if (usesGemini && !values.GOOGLE_API_KEY) {
    problems.push('GOOGLE_API_KEY: required when a stage uses the gemini provider (EMBEDDINGS_PROVIDER, RERANK_PROVIDER, GENERATION_PROVIDER, CHAT_PROVIDER, VISION_PROVIDER, CLASSIFY_PROVIDER or GATEWAY_MODELS)');
  }
  try {
    parsePriceOverrides(values.MODEL_PRICES);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return new AppConfig(values, processRoleFrom(env));
}

function stageModel(provider: ProviderChoice, model: string | undefined, kind: 'embeddings' | 'chat'): StageModel | null {
  if (provider === 'none') return null;
  return { provider, model: model ?? DEFAULT_MODELS[provider][kind] };
}

/** A gateway stage: its own provider when set, else the stage it follows (model included). */
function gatewayStage(provider: ProviderChoice | undefined, model: string | undefined, fallback: StageModel | null): StageModel | null {
  if (provider === undefined) return model && fallback ? { provider: fallback.provider, model } : fallback;
  return stageModel(provider, model, 'chat');
}

export interface StageModels {
  embeddings: StageModel | null;
  rerank: StageModel | null;
  generation: StageModel | null;
  chat: StageModel | null;
  vision: StageModel | null;
  classify: StageModel | null;
}

/** The validated configuration, injected wherever a setting is needed. */
export class AppConfig {
  constructor(
    readonly values: AppConfigValues,
    /** This process's part when Sift runs as several workers; see cluster/process-role.ts. */
    readonly role: ProcessRole = SINGLE_PROCESS,
  ) {}

  get port(): number {
    return this.values.PORT;
  }
  get host(): string {
    return this.values.HOST;
  }
  get dataDir(): string {
    return this.values.DATA_DIR;
  }
  /** The Redis every replica shares, or null for a server that keeps its state locally. */
  get redis(): { url: string; prefix: string } | null {
    return this.values.REDIS_URL ? { url: this.values.REDIS_URL, prefix: this.values.REDIS_KEY_PREFIX } : null;
  }
  /** The shared tier of the rerank and query-embedding caches (with REDIS_URL), or null. */
  get sharedCache(): { ttlMs: number; maxBytes: number } | null {
    if (!this.redis || this.values.SHARED_CACHE_MAX_MB === 0) return null;
    return { ttlMs: this.values.SHARED_CACHE_TTL_SECONDS * 1000, maxBytes: Math.round(this.values.SHARED_CACHE_MAX_MB * 2 ** 20) };
  }
  get apiKeys(): readonly string[] {
    return this.values.SIFT_API_KEYS;
  }
  get limits() {
    return {
      uploadBytes: this.values.MAX_UPLOAD_BYTES,
      uploadFiles: this.values.MAX_UPLOAD_FILES,
      queryChars: this.values.MAX_QUERY_CHARS,
      headersTimeoutMs: this.values.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: this.values.HTTP_REQUEST_TIMEOUT_MS,
    };
  }
  /** Where and within which limits files are parsed. */
  get parsing() {
    return {
      workers: this.values.PARSE_WORKERS,
      heapMb: this.values.PARSE_HEAP_MB,
      timeoutMs: this.values.PARSE_TIMEOUT_MS,
      docxMaxExpandedBytes: this.values.DOCX_MAX_EXPANDED_BYTES,
      htmlMaxDepth: this.values.HTML_MAX_DEPTH,
    };
  }
  /** When an upload becomes a background job, and how much ingest work runs at once. */
  get jobs() {
    return {
      thresholdFiles: this.values.JOB_THRESHOLD_FILES,
      thresholdBytes: this.values.JOB_THRESHOLD_BYTES,
      concurrency: this.values.JOB_CONCURRENCY,
      retentionHours: this.values.JOB_RETENTION_HOURS,
      maxAttempts: this.values.JOB_MAX_ATTEMPTS,
      lockMs: this.values.JOB_LOCK_MS,
      spoolDir: this.values.JOB_SPOOL_DIR ?? null,
      spoolRedisMaxBytes: this.values.JOB_SPOOL_REDIS_MAX_BYTES,
      ingestConcurrency: this.values.INGEST_CONCURRENCY,
    };
  }
  /** The model serving each stage, or null where the stage runs without one. */
  get models(): StageModels {
    const v = this.values;
    const generation = stageModel(v.GENERATION_PROVIDER, v.GENERATION_MODEL, 'chat');
    const chat = gatewayStage(v.CHAT_PROVIDER, v.CHAT_MODEL, generation);
    return {
      embeddings: stageModel(v.EMBEDDINGS_PROVIDER, v.EMBEDDINGS_MODEL, 'embeddings'),
      rerank: stageModel(v.RERANK_PROVIDER, v.RERANK_MODEL, 'chat'),
      generation,
      chat,
      vision: gatewayStage(v.VISION_PROVIDER, v.VISION_MODEL, chat),
      classify: gatewayStage(v.CLASSIFY_PROVIDER, v.CLASSIFY_MODEL, chat),
    };
  }

  /**
   * The chat models a gateway request may name: every chat stage's model plus
   * GATEWAY_MODELS, without duplicates. Naming models keeps callers from spending on any
   * model the API key can reach.
   */
  get chatModels(): StageModel[] {
    const { rerank, generation, chat, vision, classify } = this.models;
    const extra = this.values.GATEWAY_MODELS.map((entry): StageModel => {
      const split = entry.indexOf(':');
      return { provider: entry.slice(0, split) as StageModel['provider'], model: entry.slice(split + 1) };
    });
    const seen = new Set<string>();
    return [chat, vision, classify, generation, rerank, ...extra].filter((model): model is StageModel => {
      if (!model || seen.has(`${model.provider}:${model.model}`)) return false;
      seen.add(`${model.provider}:${model.model}`);
      return true;
    });
  }

  get priceOverrides(): Record<string, ModelPrice> {
    return parsePriceOverrides(this.values.MODEL_PRICES);
  }

  get chunking() {
    return { chunkTokens: this.values.CHUNK_TOKENS, overlapTokens: this.values.CHUNK_OVERLAP_TOKENS };
  }
}
