import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, type ImportEdge, importGraph, parseImports } from './helpers/import-graph.js';

/**
 * The boundaries of the source tree (docs/ARCHITECTURE.md, "Layout"), read from the import
 * statements of services/, shared/ and infra/ (type-only and dynamic imports included):
 * - shared/ imports no service;
 * - no Lambda handler and no job imports the sandbox;
 * - planning (services/plan/) does not import the worker, and the worker side (services/worker/,
 *   and the CLI's worker start services/cli/apply-tasks.ts) does not import planning: rules both
 *   use live in shared/;
 * - a job imports no other job, except events → plan (the events function plans its removals);
 * - no import cycle.
 * Jobs: services/{snapshot,plan,worker,events,audit,activity}/. The CLI (services/cli/) is the shell that
 * composes them, and the sandbox (services/sandbox/) the local stand-ins.
 */

const ROOT = new URL('..', import.meta.url).pathname;
const JOBS = ['snapshot', 'plan', 'worker', 'events', 'audit', 'activity'] as const;

/** Known violations, each to be removed by a change in flight: none are left. */
const KNOWN_VIOLATIONS: ReadonlySet<string> = new Set<string>();

const jobOf = (path: string) =>
  JOBS.find((job) => path.startsWith(`services/${job}/`)) as string | undefined;
const isHandler = (path: string) => /^services\/[^/]+\/handler\.ts$/.test(path);
const isWorkerSide = (path: string) =>
  path.startsWith('services/worker/') || path === 'services/cli/apply-tasks.ts';

/** The rule an import breaks, or undefined. */
function brokenRule(e: ImportEdge): string | undefined {
  if (e.from.startsWith('shared/') && e.to.startsWith('services/'))
    return 'shared imports a service';
  if ((isHandler(e.from) || jobOf(e.from)) && e.to.startsWith('services/sandbox/'))
    return 'a handler or job imports the sandbox';
  if (e.from.startsWith('services/plan/') && e.to.startsWith('services/worker/'))
    return 'planning imports the worker';
  if (isWorkerSide(e.from) && e.to.startsWith('services/plan/'))
    return 'worker side imports planning';
  const [from, to] = [jobOf(e.from), jobOf(e.to)];
  if (from && to && from !== to && !(from === 'events' && to === 'plan'))
    return 'a job imports another job';
  return undefined;
}

describe('architecture', () => {
  const edges = importGraph(ROOT, ['services', 'shared', 'infra']);

  it('reads the import graph of the source tree', () => {
    // A sanity floor: a broken parser that finds nothing must not pass the rules below.
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({
      from: 'services/events/handler.ts',
      to: 'services/removals/plan/run-plan.ts',
      kind: 'value',
    });
  });

  it('keeps every boundary (known violations aside)', () => {
    const found = edges.flatMap((e) => {
      const rule = brokenRule(e);
      return rule ? [`${rule}: ${e.from} -> ${e.to}`] : [];
    });
    const unique = [...new Set(found)];
    expect(unique.filter((v) => !KNOWN_VIOLATIONS.has(v))).toEqual([]);
    // A listed violation that is gone must leave the list, so the list only shrinks.
    expect([...KNOWN_VIOLATIONS].filter((v) => !unique.includes(v))).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(cycles(edges)).toEqual([]);
  });

  it('starts the CLI without the AWS SDK, the config schema (zod), Google or pino', () => {
    // What `idsync --help` loads: the value imports reachable from the entry (a command's heavy
    // modules are dynamic imports, services/cli/lazy-config.ts the configuration).
    const atStart = reachable(edges, 'services/cli/main.ts');
    expect(atStart).toContain('services/cli/commands/inactive.ts');
    const packages = [...atStart].flatMap((file) =>
      parseImports(readFileSync(join(ROOT, file), 'utf8'))
        .filter((i) => i.kind === 'value' && !/^(\.|node:)/.test(i.specifier))
        .map((i) => `${file} -> ${i.specifier}`),
    );
    expect(packages).toContain('services/cli/program.ts -> commander');
    const heavy = /-> (@aws-sdk\/|@smithy\/|zod|google-auth-library|@googleapis\/|pino|dynalite)/;
    expect(packages.filter((p) => heavy.test(p))).toEqual([]);
  });
});

/** The files `from` loads before any of its code runs: value imports, transitively. */
function reachable(all: readonly ImportEdge[], from: string): Set<string> {
  const seen = new Set([from]);
  const todo = [from];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    for (const e of all) {
      if (e.from === file && e.kind === 'value' && !seen.has(e.to)) {
        seen.add(e.to);
        todo.push(e.to);
      }
    }
  }
  return seen;
}

describe('the rules and the import reader', () => {
  it('flags each kind of boundary crossing', () => {
    const e = (from: string, to: string): ImportEdge => ({ from, to, kind: 'value' });
    expect(brokenRule(e('shared/clients-from-config.ts', 'services/removals/plan/guard.ts'))).toBe(
      'shared imports a service',
    );
    expect(brokenRule(e('services/worker/handler.ts', 'services/sandbox/sync-simulator.ts'))).toBe(
      'a handler or job imports the sandbox',
    );
    expect(
      brokenRule(e('services/removals/plan/run-plan.ts', 'services/removals/worker/run-worker.ts')),
    ).toBe('planning imports the worker');
    expect(brokenRule(e('services/snapshot/run-snapshot.ts', 'services/audit/since.ts'))).toBe(
      'a job imports another job',
    );
    expect(
      brokenRule(e('services/activity/activity-csv.ts', 'services/removals/plan/csv-input.ts')),
    ).toBe('a job imports another job');
    expect(
      brokenRule(e('services/removals/plan/run-plan.ts', 'services/events/run-events.ts')),
    ).toBe('a job imports another job');
    expect(
      brokenRule(e('services/activity/handler.ts', 'services/sandbox/cloudtrail/wire.ts')),
    ).toBe('a handler or job imports the sandbox');
    expect(brokenRule(e('shared/quicksight-matching.ts', 'services/removals/plan/decide.ts'))).toBe(
      'shared imports a service',
    );
    expect(brokenRule(e('services/events/handler.ts', 'services/removals/plan/run-plan.ts'))).toBe(
      undefined,
    );
    expect(brokenRule(e('services/cli/main.ts', 'services/removals/plan/run-plan.ts'))).toBe(
      undefined,
    );
  });

  it('reads every form of import, with its kind, and skips comments', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "import { type C, type D } from './c.js';",
      "import { type E, f } from './e.js';",
      "import './side-effect.js';",
      "export { g } from './g.js';",
      "export type { H } from './h.js';",
      'import {',
      '  multi,',
      '  line,',
      "} from './multi.js';",
      "// import { gone } from './commented.js';",
      "/* import { gone } from './block.js'; */",
      "const lazy = await import('./lazy.js');",
      "const url = 'http://example.com/x'; import { after } from './after.js';",
    ].join('\n');
    expect(parseImports(source)).toEqual([
      { specifier: './a.js', kind: 'value' },
      { specifier: './b.js', kind: 'type' },
      { specifier: './c.js', kind: 'type' },
      { specifier: './e.js', kind: 'value' },
      { specifier: './side-effect.js', kind: 'value' },
      { specifier: './g.js', kind: 'value' },
      { specifier: './h.js', kind: 'type' },
      { specifier: './multi.js', kind: 'value' },
      { specifier: './lazy.js', kind: 'dynamic' },
    ]);
  });

  it('finds cycles, self-imports included', () => {
    const e = (from: string, to: string): ImportEdge => ({ from, to, kind: 'type' });
    expect(cycles([e('a', 'b'), e('b', 'c'), e('c', 'a'), e('c', 'd')])).toEqual([['a', 'b', 'c']]);
    expect(cycles([e('a', 'a')])).toEqual([['a']]);
    expect(cycles([e('a', 'b'), e('b', 'c')])).toEqual([]);
  });
});
