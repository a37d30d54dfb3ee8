import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/**/src/**/*.test.ts', 'packages/**/test/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // PostgreSQL for the console's store suite (started here when MAMORI_TEST_DATABASE_URL is unset)
    globalSetup: ['packages/console/src/testing/postgres-global-setup.ts'],
  },
});
