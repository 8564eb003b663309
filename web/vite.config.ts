// Builds the console into dist/web, which the Nest process serves at `/` (src/console).
// Everything it needs is bundled: no CDN, no font or script fetched at run time.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // Preact's JSX runtime; no plugin needed for a production build.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The CSP allows no inline code, so nothing is inlined as a data: URL either.
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
});
