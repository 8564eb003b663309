// The page furniture of common documentation generators, by the class names and ids they
// write. Most put navigation in plain <div>s and <table>s rather than <nav> or <footer>, so
// the generic ARIA-based rules in html.ts miss them. Sphinx, DocBook XSL, AsciiDoc, Javadoc and
// MkDocs lines were read off real output (the Debian -doc packages named below, excerpts in
// test/fixtures/docs/html/). The Material for MkDocs, Docusaurus and GitHub lines were checked
// against pages those generators rendered, found in public repositories (not committed here),
// so they have no fixture of their own.

/** Removed with everything inside them. */
export const GENERATOR_BOILERPLATE = [
  // Everywhere: "skip to content" links, print-only and screen-reader-only furniture.
  '.skip-link', '.skipnav', '.skipNav', '[class*=skipToContent]', '.sr-only', '.visually-hidden',
  // Sphinx (python-requests-doc, alabaster and the basic theme): permalink marks "¶",
  // prev/next bars, sidebars, search box, footer, "Show Source".
  'a.headerlink', 'div.related', 'div.sphinxsidebar', 'div.footer', '.rst-footer-buttons', '.wy-nav-side', '.wy-breadcrumbs',
  // DocBook XSL (docbook-xsl-doc-html, git-doc's user manual): Prev / Up / Next / Home
  // tables above and below each page, generated tables of contents.
  'div.navheader', 'div.navfooter', 'div.toc', 'div.list-of-tables', 'div.list-of-examples', 'div.list-of-figures',
  // AsciiDoc (git-doc manual pages): the generated contents and the "Last updated" footer.
  '#toc', '#footer',
  // Javadoc (junit4-doc): top and bottom navigation bars, the "All Classes" lists, the legal line.
  'div.topNav', 'div.bottomNav', 'div.subNav', 'div.fixedNav', 'ul.navList', 'ul.subNavList', '.legalCopy',
  // MkDocs (mkdocs-doc, mkdocs theme): navbar, side contents, search and shortcut dialogs;
  // Material for MkDocs: header, sidebars, footer, "edit" buttons.
  'div.navbar', 'div.bs-sidebar', 'div.modal', '.md-header', '.md-sidebar', '.md-footer', '.md-source', '.md-content__button',
  // Docusaurus (classic theme): breadcrumbs, sidebar, page contents, "edit this page",
  // pagination, heading anchors.
  '.theme-doc-breadcrumbs', '.theme-doc-sidebar-container', '.theme-doc-toc-desktop', '.theme-doc-toc-mobile',
  '.theme-doc-footer', '.theme-edit-this-page', '.pagination-nav', 'a.hash-link',
  // GitHub-rendered READMEs: the permalink beside each heading (older pages mark it
  // aria-hidden, current ones label it "Permalink: …").
  'a.anchor[aria-hidden]', 'a.anchor[aria-label^="Permalink"]', 'a.heading-link', '.octicon',
].join(', ');

/** Where generators put the page's own content, after main/article/[role=main] and before <body>. */
export const GENERATOR_CONTENT_ROOTS = ['.markdown-body', '.rst-content', 'div.body', '.md-content', '.theme-doc-markdown', 'div.contentContainer'];
