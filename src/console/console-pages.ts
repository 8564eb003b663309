// The console's page addresses. Each is a route of its own on the server, so a browser that
// opens or reloads a console page gets the console, while every other path (the API, /docs,
// a typo under /v1) keeps its own answer: nothing here is a catch-all. The console's router
// (web/src/app/pages.ts) uses the same list; a test keeps the two equal.
export const CONSOLE_PAGES = [
  '/',
  '/collections',
  '/collections/:collection',
  '/collections/:collection/documents/:id',
  '/collections/:collection/ask',
  '/collections/:collection/search',
  '/jobs',
  '/usage',
  '/settings',
] as const;
