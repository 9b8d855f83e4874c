import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // fast-check run counts: CI keeps them modest, `npm run fuzz` raises them.
    env: { FC_NUM_RUNS: process.env.FC_NUM_RUNS ?? '200' },
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      thresholds: { lines: 90, functions: 90, branches: 85, statements: 90 },
    },
  },
})
