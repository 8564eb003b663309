// The heading of a collection's pages, with the ways into it: documents, ask, search.
import { collectionPath } from '../../app/links.ts';

type View = 'documents' | 'ask' | 'search';

export function CollectionHeader({ collection, current, title }: { collection: string; current: View; title?: string }) {
  const tabs: Array<{ view: View; label: string; href: string }> = [
    { view: 'documents', label: 'Documents', href: collectionPath(collection) },
    { view: 'ask', label: 'Ask', href: collectionPath(collection, 'ask') },
    { view: 'search', label: 'Search', href: collectionPath(collection, 'search') },
  ];
  return (
    <header class="collection-header">
      <p class="breadcrumb">
        <a href="/collections">Collections</a> › {collection}
      </p>
      <h1>{title ?? collection}</h1>
      <nav aria-label={`Collection ${collection}`} class="tabs">
        {tabs.map((tab) => (
          <a key={tab.view} href={tab.href} aria-current={tab.view === current ? 'page' : undefined}>
            {tab.label}
          </a>
        ))}
      </nav>
    </header>
  );
}
