import { defineConfig } from 'vitest/config';

// Unit tests sit beside their code as `*.test.ts`; they need no servers.
export default defineConfig({
  test: {
    include: [
      '{lib,router,cell,shared-services,deploy}/**/*.test.ts',
      'test/unit/**/*.test.ts',
      'web/src/**/*.test.ts',
    ],
    exclude: ['**/*.int.test.ts', 'node_modules/**'],
    testTimeout: 30_000,
  },
});
