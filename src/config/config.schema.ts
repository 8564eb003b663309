// The environment Sift reads at start, as one zod schema: every variable, its default and
// what is allowed. `.env.example` documents the same list for people.
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

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  SIFT_STORE: z.enum(['sqlite']).default('sqlite'),
  SIFT_API_KEYS: commaList,
  MAX_UPLOAD_BYTES: positiveInt(50 * 1024 * 1024),
  MAX_UPLOAD_FILES: positiveInt(50),
  MAX_QUERY_CHARS: positiveInt(2000),
  CHUNK_TOKENS: positiveInt(300),
  CHUNK_OVERLAP_TOKENS: z.coerce.number().int().min(0).default(40),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
});

export type AppConfigValues = z.infer<typeof configSchema>;
