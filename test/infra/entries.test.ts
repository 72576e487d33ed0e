import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultEntry, JOBS, REPO_ROOT } from '../../infra/constructs/idsync-function.js';
import { findEntries } from '../../infra/stacks/entries.js';

describe('findEntries', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  });

  it('deploys the jobs whose handler exists and names the others', () => {
    const root = mkdtempSync(join(tmpdir(), 'idsync-entries-'));
    roots.push(root);
    for (const job of ['snapshot', 'worker']) {
      mkdirSync(join(root, 'services', job), { recursive: true });
      writeFileSync(join(root, 'services', job, 'handler.ts'), 'export const handler = 1;\n');
    }
    const found = findEntries(root);
    expect(found.entries).toEqual({
      snapshot: join(root, 'services/snapshot/handler.ts'),
      worker: join(root, 'services/worker/handler.ts'),
    });
    expect(found.missing).toEqual(['plan', 'events', 'activity', 'review']);
  });

  it('finds the snapshot handler of this repository', () => {
    expect(findEntries().entries.snapshot).toBe(defaultEntry('snapshot'));
    expect(defaultEntry('snapshot')).toBe(join(REPO_ROOT, 'services', 'snapshot', 'handler.ts'));
    expect(JOBS).toEqual(['snapshot', 'plan', 'worker', 'events', 'activity', 'review']);
  });
});
