import { defineConfig } from 'vitest/config';

// Integration tests use one real Postgres cluster and one real Redis per run,
// started by the global setup on free ports. Each test makes its own database.
export default defineConfig({
  test: {
    include: [
      '{lib,router,cell,shared-services}/**/*.int.test.ts',
      'test/integration/**/*.test.ts',
    ],
    exclude: ['node_modules/**'],
    globalSetup: ['test/harness/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: files in parallel would only fight over the same servers.
    fileParallelism: false,
  },
});
