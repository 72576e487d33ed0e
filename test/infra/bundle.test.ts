import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultEntry } from '../../infra/constructs/idsync-function.js';
import { fixtureStack } from './fixture-stack.js';

const run = promisify(execFile);
const MAX_SNAPSHOT_BUNDLE_BYTES = 3 * 1024 * 1024;

/**
 * The one test that really bundles a job: the snapshot handler, through NodejsFunction and the
 * local esbuild, exactly as `cdk synth` does. The bundle must be a minified ES module with a
 * source map that Node can import (the createRequire banner makes CommonJS dependencies work).
 */
describe('snapshot function bundle', () => {
  let bundle: string;

  beforeAll(() => {
    const { stack, template } = fixtureStack(
      {},
      { entries: { snapshot: defaultEntry('snapshot') } },
      { bundle: true },
    );
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    const key = fn?.Properties.Code.S3Key as string;
    const assembly = (stack.node.root as App).synth();
    bundle = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
  });

  it('is one minified ES module under the 3 MB target, with a source map', () => {
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    const size = statSync(bundle).size;
    expect(size).toBeLessThanOrEqual(MAX_SNAPSHOT_BUNDLE_BYTES);
    const code = readFileSync(bundle, 'utf8');
    expect(code.startsWith('import { createRequire as __idsyncCreateRequire }')).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*\bas handler\b[^}]*\}/);
    // Minified: long lines (unminified code averages well under 100 characters a line).
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
    // The SDK is bundled at the pinned versions, not taken from the Lambda runtime.
    expect(code).not.toMatch(/from\s*"@aws-sdk\//);
  });

  it('imports in a fresh Node process and answers a malformed event with a clear error', async () => {
    const script = `
      const started = performance.now();
      const m = await import(${JSON.stringify(bundle)});
      const importMs = performance.now() - started;
      let error = '';
      try { await m.handler({ 'detail-type': 'Object Created', source: 'aws.s3' }); }
      catch (e) { error = e.name + ': ' + e.message; }
      console.log(JSON.stringify({ type: typeof m.handler, importMs, error }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
    expect(result.type).toBe('function');
    expect(result.error).toMatch(
      /^UsageError: snapshot event is not an EventBridge scheduled event/,
    );
    expect(result.importMs).toBeGreaterThan(0);
  });
});
