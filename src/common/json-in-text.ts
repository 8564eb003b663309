// Models asked for JSON often wrap it: in prose, in code fences, or with a trailing remark.
// These are the JSON values a text holds, tried in the order a reader would look for them:
// a fenced block first, then the widest {...} and [...] spans of the whole text.

const FENCED = /```(?:json)?\s*([\s\S]*?)```/i;

export function jsonValuesIn(text: string): unknown[] {
  const found: unknown[] = [];
  for (const source of [FENCED.exec(text)?.[1], text]) {
    if (!source) continue;
    for (const [open, close] of [['{', '}'], ['[', ']']] as const) {
      const start = source.indexOf(open);
      const end = source.lastIndexOf(close);
      if (start < 0 || end <= start) continue;
      try {
        found.push(JSON.parse(source.slice(start, end + 1)));
      } catch {
        // not JSON; the caller tries other shapes
      }
    }
  }
  return found;
}
