#!/usr/bin/env node
// Entry point of the `idsync` command: runs the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

// The SDK's Node 20 notice is not for operators; idsync pins its Node version in package.json.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
register();
const { runCli } = await import('../services/cli/main.ts');
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
