// Reads and validates the configuration once, at start. A bad value stops the process with
// a message that names the variable and says what is allowed.
import { z } from 'zod';
import { configSchema, type AppConfigValues } from './config.schema.js';

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
  return new AppConfig(parsed.data);
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
  get chunking() {
    return { chunkTokens: this.values.CHUNK_TOKENS, overlapTokens: this.values.CHUNK_OVERLAP_TOKENS };
  }
}
