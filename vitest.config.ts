import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The policy the functions under test use (local mode installs its own on start).
    setupFiles: ['test/helpers/policy-setup.ts'],
    // Generous: CI machines are shared and busy; a passing test returns as soon as it is done.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // fauxqs uses node:sqlite, which still prints an ExperimentalWarning on Node 24.
    execArgv: ['--disable-warning=ExperimentalWarning'],
    // CI also writes a JSON report, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results/vitest.json' },
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_DEV: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
    },
  },
});
