// The collections a key may touch: exact names, prefixes (`team-a-*`) or all (`*`). A
// collection outside a key's scope does not exist for that key, so scope checks answer
// "no" the same way a missing collection does.

/** One scope entry as given: `*`, `name`, or `prefix*`. */
const ENTRY = /^(\*|[A-Za-z0-9][A-Za-z0-9_-]{0,63}\*?)$/;

export class CollectionScope {
  static readonly ALL = new CollectionScope(['*']);

  private readonly all: boolean;
  private readonly names: ReadonlySet<string>;
  private readonly prefixes: readonly string[];

  private constructor(readonly entries: readonly string[]) {
    this.all = entries.includes('*');
    this.names = new Set(entries.filter((entry) => !entry.endsWith('*')));
    this.prefixes = entries.filter((entry) => entry.endsWith('*') && entry !== '*').map((entry) => entry.slice(0, -1));
  }

  /** Parses scope entries; throws with the bad entry named. */
  static parse(entries: readonly string[]): CollectionScope {
    if (entries.length === 0) throw new Error('a scope needs at least one entry: a collection name, a prefix such as "team-a-*", or "*" for all');
    for (const entry of entries) {
      if (!ENTRY.test(entry)) throw new Error(`"${entry}" is not a scope entry: use a collection name, a prefix ending in "*" (e.g. "team-a-*"), or "*" for all`);
    }
    return new CollectionScope([...new Set(entries)]);
  }

  get coversAll(): boolean {
    return this.all;
  }

  allows(collection: string): boolean {
    if (this.all || this.names.has(collection)) return true;
    for (const prefix of this.prefixes) if (collection.startsWith(prefix)) return true;
    return false;
  }
}
