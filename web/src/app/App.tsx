// The console's frame: navigation, the key prompt when the server wants a key, and the page
// the address names.
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { onUnauthorized } from '../api/client.ts';
import { storeApiKey, storedApiKey } from '../api/api-key.ts';
import { KeyPrompt } from './KeyPrompt.tsx';
import { CONSOLE_PAGES, PAGE_VIEWS } from './pages.tsx';

const NAVIGATION = [
  { href: '/collections', label: 'Collections', matches: (path: string) => path === '/' || path.startsWith('/collections') },
  { href: '/jobs', label: 'Jobs', matches: (path: string) => path === '/jobs' },
  { href: '/usage', label: 'Usage', matches: (path: string) => path === '/usage' },
  { href: '/settings', label: 'Settings', matches: (path: string) => path === '/settings' },
];

function Navigation({ hasKey, onForgetKey }: { hasKey: boolean; onForgetKey(): void }) {
  const { path } = useLocation();
  return (
    <header class="top">
      <a class="brand" href="/">
        Sift
      </a>
      <nav aria-label="Console">
        {NAVIGATION.map((item) => (
          <a key={item.href} href={item.href} aria-current={item.matches(path) ? 'page' : undefined}>
            {item.label}
          </a>
        ))}
        <a href="/docs" target="_blank" rel="noopener">
          API docs
        </a>
      </nav>
      {hasKey && (
        <button type="button" class="link" onClick={onForgetKey}>
          Forget API key
        </button>
      )}
    </header>
  );
}

function NotFound() {
  return (
    <main>
      <h1>No such page</h1>
      <p>
        <a href="/collections">Go to the collections</a>.
      </p>
    </main>
  );
}

export function App() {
  const [keyReason, setKeyReason] = useState<string | null>(null);
  // A new session (key accepted or forgotten) remounts the pages, so they load again with it.
  const [session, setSession] = useState(0);

  useEffect(() => {
    onUnauthorized((error) => setKeyReason(storedApiKey() ? `The server refused the key kept for this session: ${error.message}` : error.message));
    return () => onUnauthorized(null);
  }, []);

  return (
    <LocationProvider>
      <a class="skip-link" href="#content">
        Skip to content
      </a>
      <Navigation
        hasKey={storedApiKey() !== null}
        onForgetKey={() => {
          storeApiKey(null);
          setSession((value) => value + 1);
        }}
      />
      <div id="content" key={session}>
        {keyReason !== null ? (
          <KeyPrompt
            reason={keyReason}
            onAccepted={() => {
              setKeyReason(null);
              setSession((value) => value + 1);
            }}
          />
        ) : (
          <Router>
            {[...CONSOLE_PAGES.map((path) => <Route key={path} path={path} component={PAGE_VIEWS[path]} />), <Route key="*" default component={NotFound} />]}
          </Router>
        )}
      </div>
    </LocationProvider>
  );
}
