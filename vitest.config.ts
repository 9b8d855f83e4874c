import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  // the examples import the package by name, as a user's code does; in the tests that name is the source
  resolve: {
    alias: [
      { find: /^krake-hooks$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      { find: /^krake-hooks\/etcd$/, replacement: fileURLToPath(new URL('./src/store/etcd.ts', import.meta.url)) },
      {
        find: /^krake-hooks\/(app|api|admission|krake|yaml)$/,
        replacement: fileURLToPath(new URL('./src/entries/$1.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Most tests wait on child processes (the built command, kubectl, kpt, openssl, etcd), not on
    // the CPU: three files at a time halve the suite on two cores (vitest's default is one worker
    // per core less one, i.e. one here).
    maxWorkers: 3,
    // One module graph per worker, not per file: importing src again for every file cost a third of
    // the suite's CPU. No test mocks a module or stubs a global; the one that fakes Date restores it.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // fast-check run counts: CI keeps them modest, `npm run fuzz` raises them.
    env: { FC_NUM_RUNS: process.env.FC_NUM_RUNS ?? '200' },
    coverage: {
      provider: 'v8',
      reporter: ['text-summary'],
      include: ['src/**/*.ts'],
      // the command (its entry point, its commands and what they share) runs in child processes
      // (test/cli), which v8 coverage does not see; index.ts, the entries and types.ts hold no code of
      // their own
      exclude: [
        'src/cli/main.ts',
        'src/cli/commands/**',
        'src/cli/common.ts',
        'src/cli/usage.ts',
        'src/index.ts',
        'src/entries/**',
        'src/inject/types.ts',
      ],
      thresholds: { lines: 90, functions: 90, branches: 85, statements: 90 },
    },
  },
})
