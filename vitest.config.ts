import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Integration tests start servers and child processes; forks keep them isolated.
    pool: 'forks',
    // The lockfile pins AWS SDK versions that support Node 20; silence their upgrade notice.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The JSON report is what .ci/run reads for its summary line.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
