import { execFileSync } from 'node:child_process';

/**
 * Builds the CLI (dist/, as `npm ci` does through `prepare`) once before the tests, so tests that
 * spawn bin/idsync.js run the current sources, never a stale build. esbuild takes well under a
 * second.
 */
export default function setup(): void {
  const root = new URL('..', import.meta.url).pathname;
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: root, stdio: 'inherit' });
}
