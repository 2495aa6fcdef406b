import { defineConfig } from 'vitest/config';

// Vitest loads its config through a default export; this is the one file allowed one (see eslint.config.js).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts', 'apps/**/*.test.ts', 'test-support/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Engines and servers are shared resources: run integration files one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
