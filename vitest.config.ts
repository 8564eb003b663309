import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const CONTRACT_COVERAGE = 'test/contract-coverage.test.ts';

// NestJS dependency injection reads decorator metadata, which esbuild does not emit:
// SWC compiles the sources under test so that constructor injection works as in production.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Every answer the end-to-end suites get is checked against the served OpenAPI document,
    // and what they reached is kept for the coverage check that runs after them.
    setupFiles: ['test/helpers/contract-setup.ts'],
    globalSetup: ['test/helpers/contract-coverage-global.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'sift',
          include: ['src/**/*.test.ts', 'ingest/**/*.test.ts', 'bench/**/*.test.ts', 'test/**/*.test.ts', 'web/**/*.test.ts'],
          exclude: [CONTRACT_COVERAGE, '**/node_modules/**'],
          // Groups run in order: every suite first, then the coverage check over their traffic.
          sequence: { groupOrder: 1 },
        },
      },
      { extends: true, test: { name: 'contract-coverage', include: [CONTRACT_COVERAGE], sequence: { groupOrder: 2 } } },
    ],
  },
});
