// The ingest CLI's command line, checked once: every flag typed, every value validated, and
// a UsageError that says what to fix (exit code 2).
import { parseArgs } from 'node:util';
import { assertCollectionName } from '../src/common/collection-name.js';
import { isSiftError } from '../src/common/errors.js';
import { documentMetadataSchema } from '../src/http/request-schemas.js';
import type { DocumentMetadata, MetadataValue } from '../src/store/vector-store.js';
import { UsageError } from './usage-error.js';

export { UsageError } from './usage-error.js';

export const USAGE = `Usage: npm run ingest -- <paths...> --collection <name> [options]
       npm run ingest -- --list [--collection <name>] [--json] [--server <url>]

Loads files and folders (walked recursively; hidden files skipped) into a collection.
Re-runs skip unchanged files by hash, without parsing them.

Options:
  -c, --collection <name>  collection to load into (required)
  --include <glob>         only files matching; repeatable. A glob without "/" matches a
                           name at any depth ("*.pdf"); one with "/" is anchored at the base
  --exclude <glob>         skip matching files and folders; repeatable ("drafts", "*.tmp")
  --base <folder>          source names are paths relative to it (default: the one folder
                           given, else the common parent folder of the paths)
  --concurrency <n>        files at once (default: INGEST_CONCURRENCY, 4)
  --metadata <key=value>   stored with every document; repeatable. true/false and plain
                           numbers are typed ("pages=12"); anything else is a string
  --dry-run                list what would be created, updated, unchanged and deleted;
                           write nothing
  --delete-missing         delete the collection's documents under the given paths whose
                           files are gone (and that --include/--exclude would select)
  --json                   print a JSON summary as the last line of standard output
  --list                   list the collections (document and chunk counts, last update),
                           or with --collection that collection's documents; writes nothing
  --server <url>           send the files to a running Sift instead of writing DATA_DIR
  --api-key <key>          API key for --server (default: SIFT_API_KEY)
  -h, --help               this text

Exit codes: 0 every file landed, 1 some file failed, 2 bad usage, configuration or server,
130 stopped by Ctrl-C (a re-run does the rest).`;

export interface IngestOptions {
  paths: string[];
  collection: string;
  include: string[];
  exclude: string[];
  base?: string;
  /** Files at once; absent means the configured INGEST_CONCURRENCY. */
  concurrency?: number;
  metadata: DocumentMetadata;
  dryRun: boolean;
  deleteMissing: boolean;
  json: boolean;
  server?: { url: string; apiKey?: string };
}

/** `--list`: what is stored, in DATA_DIR or on a server. */
export interface ListOptions {
  list: true;
  collection?: string;
  json: boolean;
  server?: { url: string; apiKey?: string };
}

const MAX_CONCURRENCY = 64;
// A number typed as such only when it reads back the same, so "007", "1.10" and "1e3" stay
// strings (a zip code or a version must not lose its spelling).
const PLAIN_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** `key=value` → a typed metadata entry: booleans and plain numbers as such, else the text. */
export function parseMetadataPair(pair: string): [string, MetadataValue] {
  const equals = pair.indexOf('=');
  if (equals <= 0) throw new UsageError(`--metadata "${pair}": write it as key=value, e.g. --metadata team=docs.`);
  const key = pair.slice(0, equals).trim();
  const raw = pair.slice(equals + 1);
  if (raw === 'true' || raw === 'false') return [key, raw === 'true'];
  if (PLAIN_NUMBER.test(raw) && String(Number(raw)) === raw) return [key, Number(raw)];
  return [key, raw];
}

function parseMetadata(pairs: string[]): DocumentMetadata {
  const entries = new Map<string, MetadataValue>();
  for (const pair of pairs) {
    const [key, value] = parseMetadataPair(pair);
    if (entries.has(key)) throw new UsageError(`--metadata: the key "${key}" is given twice.`);
    entries.set(key, value);
  }
  // fromEntries defines own keys, so "__proto__" reaches validation (an assignment would drop it).
  const metadata: DocumentMetadata = Object.fromEntries(entries);
  const checked = documentMetadataSchema.safeParse(metadata);
  if (!checked.success) {
    // A bad key is reported by zod as "Invalid key in record" with the key rule's own message inside.
    const describe = (issue: (typeof checked.error.issues)[number]) => ('issues' in issue && issue.issues[0]?.message) || issue.message;
    throw new UsageError(`--metadata: ${checked.error.issues.map((issue) => `${issue.path.join('.') || 'metadata'}: ${describe(issue)}`).join('; ')}.`);
  }
  return checked.data;
}

function parseConcurrency(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY) {
    throw new UsageError(`--concurrency "${raw}": give a whole number from 1 to ${MAX_CONCURRENCY}.`);
  }
  return value;
}

function parseServer(url: string | undefined, apiKey: string | undefined): IngestOptions['server'] {
  if (url === undefined) {
    if (apiKey !== undefined) throw new UsageError('--api-key only applies with --server <url>.');
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--server "${url}" is not a URL; give the server's address, e.g. http://localhost:3000.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--server "${url}": use an http:// or https:// address.`);
  return { url: parsed.origin + parsed.pathname.replace(/\/+$/, ''), ...(apiKey ? { apiKey } : {}) };
}

/** The options, or `null` when help was asked for. Throws UsageError on anything wrong. */
export function parseIngestArgs(args: string[], env: Record<string, string | undefined>): IngestOptions | ListOptions | null {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        collection: { type: 'string', short: 'c' },
        include: { type: 'string', multiple: true, default: [] },
        exclude: { type: 'string', multiple: true, default: [] },
        base: { type: 'string' },
        concurrency: { type: 'string' },
        metadata: { type: 'string', multiple: true, default: [] },
        'dry-run': { type: 'boolean', default: false },
        'delete-missing': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        server: { type: 'string' },
        'api-key': { type: 'string' },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return null;
  if (values.list) return parseListArgs(values, positionals, env);
  if (positionals.length === 0) throw new UsageError('Give at least one file or folder to ingest.');
  if (!values.collection) throw new UsageError('Give the collection to load into with --collection <name>.');
  checkCollectionFlag(values.collection);
  const server = serverFlags(values, env);
  if (server && values['dry-run']) {
    // The server's fingerprint depends on its own chunking and embedding settings, which a
    // client cannot see; telling updated from unchanged needs the data directory.
    throw new UsageError('--dry-run compares files with the stored fingerprints in DATA_DIR and cannot be combined with --server.');
  }
  const concurrency = parseConcurrency(values.concurrency);
  return {
    paths: positionals,
    collection: values.collection,
    include: values.include,
    exclude: values.exclude,
    ...(values.base !== undefined ? { base: values.base } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    metadata: parseMetadata(values.metadata),
    dryRun: values['dry-run'],
    deleteMissing: values['delete-missing'],
    json: values.json,
    ...(server ? { server } : {}),
  };
}

function parseListArgs(values: { collection?: string; json: boolean; server?: string; 'api-key'?: string; [flag: string]: unknown }, positionals: string[], env: Record<string, string | undefined>): ListOptions {
  if (positionals.length > 0) throw new UsageError(`--list takes no files or folders (got "${positionals[0]}"); run without --list to ingest them.`);
  const ingestOnly = ['include', 'exclude', 'metadata', 'base', 'concurrency', 'dry-run', 'delete-missing'].filter((flag) => {
    const value = values[flag];
    return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== false;
  });
  if (ingestOnly.length > 0) throw new UsageError(`--list cannot be combined with --${ingestOnly.join(', --')}, which apply when ingesting.`);
  if (values.collection !== undefined) checkCollectionFlag(values.collection);
  const server = serverFlags(values, env);
  return { list: true, json: values.json, ...(values.collection !== undefined ? { collection: values.collection } : {}), ...(server ? { server } : {}) };
}

/** --collection's value, checked as the server checks a collection name. */
function checkCollectionFlag(collection: string): void {
  try {
    assertCollectionName(collection);
  } catch (error) {
    if (isSiftError(error)) throw new UsageError(error.message);
    throw error;
  }
}

/** --server and its key (--api-key, else SIFT_API_KEY when a server is given). */
function serverFlags(values: { server?: string; 'api-key'?: string }, env: Record<string, string | undefined>) {
  return parseServer(values.server, values['api-key'] ?? (values.server ? env.SIFT_API_KEY || undefined : undefined));
}
