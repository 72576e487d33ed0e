#!/usr/bin/env -S node --
// Entry point of the `idsync` command: runs the JavaScript built into dist/ by
// scripts/build-cli.mjs (`npm run build`; `npm ci` runs it through `prepare`). No TypeScript at
// run time.
import { existsSync } from 'node:fs';

// The SDK's Node 20 notice is not for operators; package.json says which Node versions idsync supports.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const built = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('idsync: not built yet: run `npm run build` (npm ci does it)\n');
  process.exit(2);
}
const { runCli } = await import(built.href);
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
