// Which view answers each console page. The page list is the server's (src/console/console-pages.ts),
// so the server serves every address the router knows, and the compiler checks each has a view.
import type { FunctionComponent } from 'preact';
import { CONSOLE_PAGES } from '../../../src/console/console-pages.ts';
import { AskPage } from '../features/ask/AskPage.tsx';
import { CollectionsPage } from '../features/collections/CollectionsPage.tsx';
import { DocumentPage } from '../features/documents/DocumentPage.tsx';
import { DocumentsPage } from '../features/documents/DocumentsPage.tsx';
import { SearchPage } from '../features/search/SearchPage.tsx';
import { SettingsPage } from '../features/settings/SettingsPage.tsx';
import { JobsPage } from '../features/upload/JobsPage.tsx';
import { UsagePage } from '../features/usage/UsagePage.tsx';

type Page = (typeof CONSOLE_PAGES)[number];

/** Route parameters arrive as props named after them (preact-iso); a view reads the ones its path has. */
interface PageParams {
  collection: string;
  id: string;
}

export const PAGE_VIEWS: Record<Page, FunctionComponent<PageParams>> = {
  '/': CollectionsPage,
  '/collections': CollectionsPage,
  '/collections/:collection': DocumentsPage,
  '/collections/:collection/documents/:id': DocumentPage,
  '/collections/:collection/ask': AskPage,
  '/collections/:collection/search': SearchPage,
  '/jobs': JobsPage,
  '/usage': UsagePage,
  '/settings': SettingsPage,
};

export { CONSOLE_PAGES };
