// The README's table of contents lists every section, under the anchor GitHub gives it, and
// marks the optional ones; a section added or renamed without it fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
function githubAnchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

describe('the README contents', () => {
  const toc = /<!-- toc:start -->\n([\s\S]*?)<!-- toc:end -->/.exec(README)?.[1] ?? '';
  const body = README.slice(README.indexOf('<!-- toc:end -->'));
  const sections = [...body.matchAll(/^## (.+)$/gm)].map((match) => match[1]!);

  it('has a table of contents with an entry for every section, in order', () => {
    expect(toc).not.toBe('');
    const entries = [...toc.matchAll(/^- \[(.+?)\]\(#(.+?)\)/gm)].map((match) => ({ title: match[1]!, anchor: match[2]! }));
    expect(entries.map((entry) => entry.anchor)).toEqual(sections.map(githubAnchor));
  });

  it('marks the optional sections as such, in the heading and in the contents', () => {
    const optional = sections.filter((section) => section.endsWith('(optional)'));
    expect(optional.length).toBeGreaterThan(0);
    for (const section of optional) expect(toc).toContain(`(#${githubAnchor(section)})`);
  });

  it('links only to anchors that exist', () => {
    const anchors = new Set([...README.matchAll(/^#{2,4} (.+)$/gm)].map((match) => githubAnchor(match[1]!)));
    const links = [...README.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]!);
    expect(links.filter((link) => !anchors.has(link))).toEqual([]);
  });
});
