// The keys in DATA_DIR/keys.sqlite. Every lookup reads the file, so a key deleted by one
// worker process (or the CLI) stops working in all of them with the next request; the
// lookup is one indexed read of a few microseconds.
import type Database from 'better-sqlite3';
import type { ApiKey, NewKeyParsed } from './api-key.js';
import { newSecret, secretDigest } from './secrets.js';
import type { Role } from './roles.js';

interface KeyRow {
  name: string;
  role: Role;
  scope: string;
  rate_per_minute: number | null;
  rate_burst: number | null;
  budget_tokens: number | null;
  budget_usd: number | null;
  created_at: string;
  last_used_at: string | null;
}

/** Last-used times are written at most this often per key and process, not on every request. */
const LAST_USED_EVERY_MS = 60_000;
const KEYS_REQUIRED = 'keys_required';

function toKey(row: KeyRow): ApiKey {
  return {
    name: row.name,
    role: row.role,
    scope: JSON.parse(row.scope) as string[],
    rateLimit: row.rate_per_minute === null ? null : { perMinute: row.rate_per_minute, burst: row.rate_burst ?? Math.max(1, Math.ceil(row.rate_per_minute)) },
    budget: row.budget_tokens === null && row.budget_usd === null ? null : { tokens: row.budget_tokens, usd: row.budget_usd },
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export class KeyExistsError extends Error {}

export class KeyStore {
  private readonly byDigest: Database.Statement<[string], KeyRow>;
  private readonly touch: Database.Statement<[string, string]>;
  private readonly requiredSetting: Database.Statement<[string], unknown>;
  private readonly lastTouched = new Map<string, number>();
  private required = false;

  constructor(private readonly db: Database.Database) {
    this.byDigest = db.prepare('SELECT * FROM api_keys WHERE secret_digest = ?');
    this.touch = db.prepare('UPDATE api_keys SET last_used_at = ? WHERE name = ?');
    this.requiredSetting = db.prepare('SELECT 1 FROM auth_settings WHERE name = ?');
  }

  /** Creates a key; the secret is returned here and nowhere else. */
  create(key: NewKeyParsed, now = new Date()): { key: ApiKey; secret: string } {
    const secret = newSecret();
    const burst = key.rateLimit ? (key.rateLimit.burst ?? Math.max(1, Math.ceil(key.rateLimit.perMinute))) : null;
    const insert = this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM api_keys WHERE name = ?').get(key.name)) throw new KeyExistsError(`A key named "${key.name}" exists; delete it first or choose another name.`);
      this.db
        .prepare('INSERT INTO api_keys (name, secret_digest, role, scope, rate_per_minute, rate_burst, budget_tokens, budget_usd, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(key.name, secretDigest(secret), key.role, JSON.stringify(key.scope), key.rateLimit?.perMinute ?? null, burst, key.budget?.tokens ?? null, key.budget?.usd ?? null, now.toISOString());
      // Once a key exists the server asks for keys, also after the last one is deleted:
      // revoking every key must not open the server to everyone.
      this.db.prepare('INSERT OR IGNORE INTO auth_settings (name, value) VALUES (?, ?)').run(KEYS_REQUIRED, '1');
    });
    insert.immediate();
    return { key: this.get(key.name)!, secret };
  }

  get(name: string): ApiKey | null {
    const row = this.db.prepare('SELECT * FROM api_keys WHERE name = ?').get(name) as KeyRow | undefined;
    return row ? toKey(row) : null;
  }

  list(): ApiKey[] {
    return (this.db.prepare('SELECT * FROM api_keys ORDER BY name').all() as KeyRow[]).map(toKey);
  }

  /** Deletes a key with its rate bucket and budget counters; false when there was none. */
  delete(name: string): boolean {
    const remove = this.db.transaction(() => {
      const deleted = this.db.prepare('DELETE FROM api_keys WHERE name = ?').run(name).changes > 0;
      this.db.prepare('DELETE FROM rate_buckets WHERE bucket = ?').run(name);
      this.db.prepare('DELETE FROM budget_spend WHERE key_name = ?').run(name);
      return deleted;
    });
    return remove.immediate();
  }

  /** The key whose secret this is, or null; notes the use. */
  findBySecret(secret: string, now = Date.now()): ApiKey | null {
    const row = this.byDigest.get(secretDigest(secret));
    if (!row) return null;
    const touched = this.lastTouched.get(row.name) ?? 0;
    if (now - touched >= LAST_USED_EVERY_MS) {
      this.lastTouched.set(row.name, now);
      const at = new Date(now).toISOString();
      this.touch.run(at, row.name);
      row.last_used_at = at;
    }
    return toKey(row);
  }

  /** Whether keys were ever created here (then every protected route needs a key). */
  keysRequired(): boolean {
    // It never turns false again, so once seen it need not be read again.
    // Until then it is one indexed read per request, so a key created by the CLI counts at once.
    if (!this.required) this.required = this.requiredSetting.get(KEYS_REQUIRED) !== undefined;
    return this.required;
  }
}
