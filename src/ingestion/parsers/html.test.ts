import { describe, expect, it } from 'vitest';
import { parseHtml } from './html.js';

const PAGE = `<!doctype html>
<html>
<head><title>  Sift
  Guide </title><style>p { color: red }</style></head>
<body>
  <header><a href="/">Home</a><h1>Site banner</h1></header>
  <nav><ul><li>Menu item</li></ul></nav>
  <main>
    <h1>Getting started</h1>
    <p>Sift   indexes
       <em>documents</em>.</p>
    <h2>Install</h2>
    <pre>
npm install
  --save sift</pre>
    <ul><li>Fast</li><li>Small <b>and</b> simple</li></ul>
    <dl><dt>Term</dt><dd>Meaning</dd></dl>
    <blockquote><p>Quoted</p><p>twice</p></blockquote>
    <table><thead><tr><th>Name</th><th>Value</th></tr></thead>
      <tbody><tr><td>port</td><td>8080</td></tr></tbody></table>
    <div>Loose text <span>in a div</span><p>Inner paragraph</p>after it</div>
    <script>console.log('no')</script>
    <form><label>Search</label><input></form>
  </main>
  <aside>Related links</aside>
  <footer>Copyright</footer>
</body>
</html>`;

describe('parseHtml', () => {
  it('walks the main content in document order, one block per element', () => {
    const doc = parseHtml(PAGE);
    expect(doc.blocks.map((block) => [block.kind, block.text])).toEqual([
      ['heading', 'Getting started'],
      ['paragraph', 'Sift indexes documents.'],
      ['heading', 'Install'],
      ['code', 'npm install\n  --save sift'],
      ['list', 'Fast'],
      ['list', 'Small and simple'],
      ['list', 'Term'],
      ['list', 'Meaning'],
      ['quote', 'Quoted twice'],
      ['table', 'Name | Value'],
      ['table', 'port | 8080'],
      ['paragraph', 'Loose text in a div'],
      ['paragraph', 'Inner paragraph'],
      ['paragraph', 'after it'],
    ]);
    expect(doc.blocks.filter((block) => block.kind === 'heading').map((block) => block.level)).toEqual([1, 2]);
  });

  it('joins block texts with blank lines and records their offsets', () => {
    const doc = parseHtml(PAGE);
    expect(doc.text).toBe(doc.blocks.map((block) => block.text).join('\n\n'));
    for (const block of doc.blocks) expect(doc.text.slice(block.start, block.end)).toBe(block.text);
    expect(doc.blocks[0]!.start).toBe(0);
    expect(doc.blocks[1]!.start).toBe(doc.blocks[0]!.end + 2);
  });

  it('drops scripts, styles, navigation, banners, asides, footers and forms', () => {
    const { text } = parseHtml(PAGE);
    for (const furniture of ['console.log', 'color: red', 'Menu item', 'Home', 'Site banner', 'Related', 'Copyright', 'Search']) {
      expect(text).not.toContain(furniture);
    }
  });

  it('takes the title from <title>, collapsed, else from the first <h1>', () => {
    expect(parseHtml(PAGE).title).toBe('Sift Guide');
    expect(parseHtml('<body><header><h1>Banner  Title</h1></header><p>x</p></body>').title).toBe('Banner Title');
    expect(parseHtml('<body><p>x</p></body>').title).toBeNull();
    expect(parseHtml('<title> </title><body><h1>Fallback</h1></body>').title).toBe('Fallback');
  });

  it('prefers <main>, then <article>, then role=main, then <body> as the content root', () => {
    expect(parseHtml('<body><p>outside</p><article><p>story</p></article></body>').text).toBe('story');
    expect(parseHtml('<body><p>outside</p><div role="main"><p>app</p></div></body>').text).toBe('app');
    expect(parseHtml('<body><p>all of it</p></body>').text).toBe('all of it');
    expect(parseHtml('<p>fragment without body</p>').text).toBe('fragment without body');
  });

  it('keeps an article header, which holds the article heading rather than the site banner', () => {
    const doc = parseHtml('<body><article><header><h1>Story</h1><p>By Ada</p></header><p>Text.</p></article></body>');
    expect(doc.blocks.map((block) => block.text)).toEqual(['Story', 'By Ada', 'Text.']);
  });

  it('drops hidden content and ARIA landmarks for page furniture', () => {
    const html =
      '<body><div role="navigation">nav</div><div role="banner">banner</div><p aria-hidden="true">icon</p>' +
      '<p hidden>secret</p><div role="contentinfo">info</div><p>kept</p></body>';
    expect(parseHtml(html).text).toBe('kept');
  });

  it('separates words that only markup divides', () => {
    const doc = parseHtml('<body><p>one<br>two</p><li>item<ul><li>nested</li></ul></li></body>');
    expect(doc.blocks.map((block) => block.text)).toEqual(['one two', 'item nested']);
  });

  it('decodes entities and collapses non-breaking spaces', () => {
    expect(parseHtml('<p>Fish&nbsp;&amp;&nbsp;chips &lt;3</p>').text).toBe('Fish & chips <3');
  });

  it('skips empty elements and empty table rows', () => {
    const doc = parseHtml('<body><p> </p><h2></h2><table><tr><td></td><td> </td></tr><tr><td>a</td><td></td></tr><tr><td></td><td>b</td></tr></table></body>');
    expect(doc.blocks.map((block) => block.text)).toEqual(['a |', '| b']);
  });

  it('returns no blocks for a page without readable content', () => {
    const doc = parseHtml('<html><head><title>Empty</title><script>render()</script></head><body><nav>menu</nav></body></html>');
    expect(doc.blocks).toEqual([]);
    expect(doc.text).toBe('');
    expect(doc.title).toBe('Empty');
  });

  it('survives very deep nesting without overflowing the stack', () => {
    const depth = 12_000; // deeper than a recursive walk survives; parse5 itself slows quadratically beyond this
    const html = `<body>${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}</body>`;
    expect(parseHtml(html, { maxDepth: depth + 2 }).text).toBe('deep');
  });

  it('refuses nesting beyond the limit before parse5 spends quadratic time on it', () => {
    expect(() => parseHtml(`<body>${'<div>'.repeat(600)}deep</body>`, { fileName: 'deep.html' })).toThrow(/"deep\.html" nests HTML elements more than 512 deep/);
  });
});
