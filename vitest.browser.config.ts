import { defineConfig } from 'vitest/config';

/**
 * `npm run test:browser`: tests that open the operator report in a real browser (playwright-core
 * driving Debian's /usr/bin/chromium). Kept apart from `npm test`, which needs no browser.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
