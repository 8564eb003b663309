// Addresses of console pages, built in one place (the page list is src/console/console-pages.ts).
const segment = encodeURIComponent;

export function collectionPath(collection: string, view?: 'ask' | 'search'): string {
  return `/collections/${segment(collection)}${view ? `/${view}` : ''}`;
}

export function documentPath(collection: string, id: string, chunkId?: string): string {
  return `/collections/${segment(collection)}/documents/${segment(id)}${chunkId ? `#chunk-${chunkId}` : ''}`;
}
