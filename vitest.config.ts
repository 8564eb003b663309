import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// NestJS dependency injection reads decorator metadata, which esbuild does not emit:
// SWC compiles the sources under test so that constructor injection works as in production.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['src/**/*.test.ts', 'ingest/**/*.test.ts', 'bench/**/*.test.ts', 'test/**/*.test.ts', 'web/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Every answer the end-to-end suites get is checked against the served OpenAPI document.
    setupFiles: ['test/helpers/contract-setup.ts'],
  },
});
