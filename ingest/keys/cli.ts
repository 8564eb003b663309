// `npm run keys -- create|list|delete`: manages API keys in DATA_DIR/keys.sqlite without a
// server, e.g. the first admin key of a new deployment. The same key store as /v1/keys, so
// a running server sees a change with its next request. A function of its arguments,
// environment and output, so tests run it as npm does.
import { parseArgs } from 'node:util';
import { newKeySchema } from '../../src/auth/api-key.js';
import { openAuthDatabase } from '../../src/auth/auth-database.js';
import { KeyExistsError, KeyStore } from '../../src/auth/key-store.js';
import { ConfigError, loadConfig } from '../../src/config/app-config.js';
import { UsageError } from '../usage-error.js';

export const USAGE = `Usage: npm run keys -- <command> [options]
  create --name <name> --role admin|write|read [--scope <c1,team-a-*,...>]
         [--rate-per-minute <n> [--burst <n>]] [--budget-tokens <n>] [--budget-usd <x>]
                       creates a key and prints its secret (shown this once only)
  list                 keys with roles, scopes, limits, created and last-used times
  delete <name>        revokes a key at once, in every server process`;

export interface CliOutput {
  log: (line: string) => void;
  error: (line: string) => void;
}

function number(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new UsageError(`${flag} must be a number.`);
  return parsed;
}

function newKeyFrom(values: Record<string, string | boolean | undefined>) {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const perMinute = number(text('rate-per-minute'), '--rate-per-minute');
  const burst = number(text('burst'), '--burst');
  if (burst !== undefined && perMinute === undefined) throw new UsageError('--burst needs --rate-per-minute.');
  const tokens = number(text('budget-tokens'), '--budget-tokens');
  const usd = number(text('budget-usd'), '--budget-usd');
  const parsed = newKeySchema.safeParse({
    name: text('name'),
    role: text('role'),
    ...(text('scope') !== undefined ? { scope: text('scope')!.split(',').map((entry) => entry.trim()) } : {}),
    ...(perMinute !== undefined ? { rateLimit: { perMinute, ...(burst !== undefined ? { burst } : {}) } } : {}),
    ...(tokens !== undefined || usd !== undefined ? { budget: { ...(tokens !== undefined ? { tokens } : {}), ...(usd !== undefined ? { usd } : {}) } } : {}),
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => `--${issue.path.join('.') || 'key'}: ${issue.message}`).join('; '));
  return parsed.data;
}

/** Exit codes: 0 done, 1 the key store refused (name taken, no such key), 2 bad usage or configuration. */
export async function runKeysCli(args: string[], env: Record<string, string | undefined>, out: CliOutput): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        role: { type: 'string' },
        scope: { type: 'string' },
        'rate-per-minute': { type: 'string' },
        burst: { type: 'string' },
        'budget-tokens': { type: 'string' },
        'budget-usd': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || command === undefined) {
      out.log(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    const config = loadConfig(env);
    const db = openAuthDatabase(config.dataDir);
    try {
      const keys = new KeyStore(db);
      switch (command) {
        case 'create': {
          const { key, secret } = keys.create(newKeyFrom(values));
          out.error(`Created key "${key.name}" (${key.role}, scope ${key.scope.join(', ')}) in ${config.dataDir}/keys.sqlite. Its secret, shown this once:`);
          out.log(secret);
          return 0;
        }
        case 'list':
          for (const key of keys.list()) {
            const limits = [key.rateLimit ? `${key.rateLimit.perMinute}/min burst ${key.rateLimit.burst}` : null, key.budget?.tokens ? `${key.budget.tokens} tokens/month` : null, key.budget?.usd ? `$${key.budget.usd}/month` : null].filter(Boolean);
            out.log(`${key.name}\t${key.role}\t${key.scope.join(',')}\t${limits.join(', ') || 'no limits'}\tcreated ${key.createdAt}\tlast used ${key.lastUsedAt ?? 'never'}`);
          }
          return 0;
        case 'delete': {
          if (rest.length !== 1) throw new UsageError('Name the one key to delete.');
          if (!keys.delete(rest[0]!)) {
            out.error(`No key is named "${rest[0]}".`);
            return 1;
          }
          out.error(`Deleted key "${rest[0]}"; it no longer opens anything.`);
          return 0;
        }
        default:
          throw new UsageError(`Unknown command "${command}".`);
      }
    } finally {
      db.close();
    }
  } catch (error) {
    if (error instanceof KeyExistsError) {
      out.error(error.message);
      return 1;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      out.error(`${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      out.error(error.message);
      return 2;
    }
    throw error;
  }
}
