// Reads and validates the configuration once, at start. A bad value stops the process with
// a message that names the variable and says what is allowed.
import { z } from 'zod';
import { configSchema, type AppConfigValues } from './config.schema.js';
import { DEFAULT_MODELS, type ProviderChoice, type StageModel } from '../providers/provider-types.js';
import { parsePriceOverrides, type ModelPrice } from '../usage/price-table.js';

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
  const usesGemini = [values.EMBEDDINGS_PROVIDER, values.RERANK_PROVIDER, values.GENERATION_PROVIDER].includes('gemini');
  if (usesGemini && !values.GOOGLE_API_KEY) {
    problems.push('GOOGLE_API_KEY: required when a stage uses the gemini provider (EMBEDDINGS_PROVIDER, RERANK_PROVIDER or GENERATION_PROVIDER)');
  }
  try {
    parsePriceOverrides(values.MODEL_PRICES);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return new AppConfig(values);
}

function stageModel(provider: ProviderChoice, model: string | undefined, kind: 'embeddings' | 'chat'): StageModel | null {
  if (provider === 'none') return null;
  return { provider, model: model ?? DEFAULT_MODELS[provider][kind] };
}

/** The validated configuration, injected wherever a setting is needed. */
export class AppConfig {
  constructor(readonly values: AppConfigValues) {}

  get port(): number {
    return this.values.PORT;
  }
  get host(): string {
    return this.values.HOST;
  }
  get dataDir(): string {
    return this.values.DATA_DIR;
  }
  get apiKeys(): readonly string[] {
    return this.values.SIFT_API_KEYS;
  }
  get limits() {
    return {
      uploadBytes: this.values.MAX_UPLOAD_BYTES,
      uploadFiles: this.values.MAX_UPLOAD_FILES,
      queryChars: this.values.MAX_QUERY_CHARS,
    };
  }
  /** The model serving each stage, or null where the stage runs without one. */
  get models(): { embeddings: StageModel | null; rerank: StageModel | null; generation: StageModel | null } {
    const v = this.values;
    return {
      embeddings: stageModel(v.EMBEDDINGS_PROVIDER, v.EMBEDDINGS_MODEL, 'embeddings'),
      rerank: stageModel(v.RERANK_PROVIDER, v.RERANK_MODEL, 'chat'),
      generation: stageModel(v.GENERATION_PROVIDER, v.GENERATION_MODEL, 'chat'),
    };
  }

  get priceOverrides(): Record<string, ModelPrice> {
    return parsePriceOverrides(this.values.MODEL_PRICES);
  }

  get chunking() {
    return { chunkTokens: this.values.CHUNK_TOKENS, overlapTokens: this.values.CHUNK_OVERLAP_TOKENS };
  }
}
