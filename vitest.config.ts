import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Integration tests start servers and child processes; forks keep them isolated.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The JSON report is what .ci/run reads for its summary line.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
