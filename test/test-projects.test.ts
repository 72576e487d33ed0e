import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTEGRATION, LONG_FIRST } from '../vitest.config.js';

const root = new URL('..', import.meta.url).pathname;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory())
      return ['bench', 'browser', 'fixtures'].includes(e.name) ? [] : testFiles(path);
    return e.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

/** Imports that start servers or processes: such tests must run isolated. */
const SERVER_IMPORTS =
  /helpers\/(sandbox|tables|dynamo|aws-sandbox|lambda)\.js|start-sandbox|stand-in\.js|dynamo-server|node:child_process|cli\/demo\.js/;

describe('vitest projects', () => {
  it('runs every test that starts a server or a process in the isolated integration project', () => {
    const integration = testFiles(join(root, 'test')).filter((f) =>
      INTEGRATION.some((glob) => new RegExp(`^${globToRegExp(glob)}$`).test(f)),
    );
    const misplaced = testFiles(join(root, 'test'))
      .filter((f) => !integration.includes(f) && f !== 'test/test-projects.test.ts')
      .filter((f) => SERVER_IMPORTS.test(readFileSync(join(root, f), 'utf8')));
    expect(misplaced).toEqual([]);
    expect(integration.length).toBeGreaterThan(20);
  });

  it('starts long files first only where they exist', () => {
    const files = testFiles(join(root, 'test'));
    expect(LONG_FIRST.filter((f) => !files.includes(f))).toEqual([]);
  });
});

function globToRegExp(glob: string): string {
  return glob
    .replace(/[.+^$()|[\]\\]/g, '\\$&')
    .replace(/\{([^}]*)\}/g, (_m, alts: string) => `(${alts.split(',').join('|')})`)
    .replace(/\*\*\//g, '(.*/)?')
    .replace(/\*/g, '[^/]*');
}
