// Boilerplate removal on whole pages as documentation generators write them (Debian -doc
// packages, see test/fixtures/docs/README.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHtml } from './html.js';

const page = (name: string, encoding: BufferEncoding = 'utf8') => parseHtml(readFileSync(new URL(`../../../test/fixtures/docs/html/${name}`, import.meta.url), encoding));
const texts = (name: string, encoding?: BufferEncoding) => page(name, encoding).blocks.map((block) => block.text);

describe('documentation generator boilerplate', () => {
  it('Sphinx: drops the sidebar, search box, footer and the ¶ permalink after each heading', () => {
    const doc = page('sphinx-requests-faq.html');
    expect(doc.blocks.slice(0, 3).map((block) => block.text)).toEqual([
      'Frequently Asked Questions',
      'This part of the documentation answers common questions about Requests.',
      'Encoded Data?',
    ]);
    expect(doc.text).not.toMatch(/¶|Quick search|Table of Contents|Reitz Project|Show Source/);
    expect(doc.text).toContain('Yes! Requests officially supports Python 3.7+ and PyPy.');
  });

  it('DocBook XSL: drops the Prev / Up / Next / Home tables above and below the page', () => {
    const blocks = texts('docbook-xsl-param.html', 'latin1');
    expect(blocks[0]).toBe('chunker.output.indent');
    expect(blocks.join('\n')).not.toMatch(/\bPrev\b|\bNext\b|\bHome\b/);
    expect(blocks).toContain('<xsl:param name="chunker.output.indent">no</xsl:param>');
    expect(blocks.at(-1)).toBe('This parameter is documented here, but the declaration is actually in the chunker.xsl stylesheet module.');
  });

  it('Javadoc: drops the navigation bars and "skip navigation" links, and reads method sections block by block', () => {
    const doc = page('javadoc-junit-rule.html');
    expect(doc.text).not.toMatch(/Skip navigation|All Classes|Overview|Deprecated|Copyright/);
    const order = doc.blocks.findIndex((block) => block.kind === 'heading' && block.text === 'order');
    expect(doc.blocks.slice(order, order + 3).map((block) => [block.kind, block.text.replace(/\s/g, ' ')])).toEqual([
      ['heading', 'order'],
      ['code', 'int order'],
      ['paragraph', 'Specifies the order in which rules are applied. The rules with a higher value are inner.'],
    ]);
  });

  it('Javadoc: a term (dt) is a lead-in kept with its description', () => {
    const blocks = page('javadoc-junit-rule.html').blocks;
    const since = blocks.findIndex((block) => block.text === 'Default:');
    expect(blocks[since]).toMatchObject({ keepWithNext: true });
    expect(blocks[since + 1]!.text).toBe('-1');
  });

  it('MkDocs: keeps the main column only (no navbar, side contents or search dialog) and marks a note title as a lead-in', () => {
    const doc = page('mkdocs-installation.html');
    expect(doc.blocks[0]).toMatchObject({ kind: 'heading', text: 'MkDocs Installation' });
    expect(doc.text).not.toMatch(/Search|Keyboard Shortcuts|Edit on GitHub|Documentation built with MkDocs/);
    const note = doc.blocks.find((block) => block.text === 'Note');
    expect(note).toMatchObject({ keepWithNext: true });
  });
});
