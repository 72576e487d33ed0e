#!/usr/bin/env node
// Builds the `idsync` command into dist/ (run by `npm run build`, and by `prepare` on `npm ci`):
// services/cli/main.ts bundled with esbuild as ES modules, one chunk per lazily imported module
// (code splitting), npm packages left as imports (node_modules is there at run time).
// bin/idsync.js runs the result; no TypeScript at run time.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { cli: 'services/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
