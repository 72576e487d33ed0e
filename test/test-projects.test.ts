import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTEGRATION, ISOLATED, LONG_FIRST } from '../vitest.config.js';

const root = new URL('..', import.meta.url).pathname;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory())
      return ['bench', 'browser', 'fixtures'].includes(e.name) ? [] : testFiles(path);
    return e.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

/** Imports that start servers or processes: such tests belong in INTEGRATION. */
const SERVER_IMPORTS =
  /helpers\/(sandbox|tables|dynamo|aws-sandbox|lambda)\.js|start-sandbox|stand-in\.js|dynamo-server|node:child_process|cli\/demo\.js/;

/**
 * What changes the process beyond a test file's own tests: the working directory, the
 * environment, globals, mocked modules. Integration files share worker processes
 * (isolate: false), so one that does this runs in a process of its own (ISOLATED).
 */
const PROCESS_CHANGES =
  /process\.chdir|vi\.stubEnv|vi\.stubGlobal|vi\.mock\(|vi\.doMock\(|process\.env(\.\w+|\[[^\]]+\])\s*=[^=]|delete process\.env/;

const matches = (globs: readonly string[]) => (f: string) =>
  globs.some((glob) => new RegExp(`^${globToRegExp(glob)}$`).test(f));

describe('vitest projects', () => {
  it('runs every test that starts a server or a process in the integration project', () => {
    const integration = testFiles(join(root, 'test')).filter(matches(INTEGRATION));
    const misplaced = testFiles(join(root, 'test'))
      .filter((f) => !integration.includes(f) && f !== 'test/test-projects.test.ts')
      .filter((f) => SERVER_IMPORTS.test(readFileSync(join(root, f), 'utf8')));
    expect(misplaced).toEqual([]);
    expect(integration.length).toBeGreaterThan(20);
  });

  it('gives a process of its own to every integration test that changes the process', () => {
    const files = testFiles(join(root, 'test'));
    const isolated = files.filter(matches(ISOLATED));
    expect(isolated.filter((f) => !matches(INTEGRATION)(f))).toEqual([]);
    expect(isolated.length).toBeGreaterThan(0);
    const shared = files.filter((f) => matches(INTEGRATION)(f) && !isolated.includes(f));
    const changing = shared.filter((f) =>
      PROCESS_CHANGES.test(readFileSync(join(root, f), 'utf8')),
    );
    expect(changing).toEqual([]);
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
