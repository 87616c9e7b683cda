// Test projects: `unit` (Node, beside the code), `e2e` (SIPp against a running core), `workers` (edge in workerd).
import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { ensureConsoleBuilt } from './edge/console/build.js'

// wrangler.toml's [assets] directory (the built console) must exist before the Workers project reads it.
await ensureConsoleBuilt()

/** Every project fails when a process its tests started outlives the run (see the module). */
const LEAK_CHECK = 'scripts/test-support/process-leaks.ts'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          globalSetup: [LEAK_CHECK],
          include: ['{shared,core,edge,scripts}/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'core/e2e/**', 'edge/**/*.workers.test.ts', 'edge/**/*.e2e.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          globalSetup: [LEAK_CHECK],
          include: ['core/e2e/**/*.e2e.test.ts', 'edge/**/*.e2e.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The edge Worker inside workerd (@cloudflare/vitest-plugin) against a real sqld started by the globalSetup.
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: './edge/worker.ts',
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { bindings: { DATABASE_URL: inject('databaseUrl') } },
          })),
        ],
        test: {
          name: 'workers',
          include: ['edge/**/*.workers.test.ts'],
          // The leak check comes first so that its teardown runs last, after sqld's.
          globalSetup: [LEAK_CHECK, 'edge/test-support/sqld-global-setup.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
})
