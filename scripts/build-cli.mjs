#!/usr/bin/env node
// Builds the `idsync` command into dist/ (run by `npm run build`, and by `prepare` on `npm ci`):
// services/cli/main.ts and its npm packages bundled with esbuild as ES modules, split into chunks
// along the lazy (dynamic) imports, so a command loads only what it uses.
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
  // npm packages are bundled too (loading one file is faster than resolving hundreds), except
  // those that find files of their own at run time: pino (its transports run pino-pretty in a
  // worker thread) and dynalite (the sandbox's DynamoDB).
  external: ['pino', 'pino-pretty', 'dynalite'],
  mainFields: ['module', 'main'],
  banner: {
    js: "import { createRequire as __idsyncCreateRequire } from 'node:module'; const require = __idsyncCreateRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
