import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, type ImportEdge, importGraph, parseImports } from './helpers/import-graph.js';

/**
 * The boundaries of the source tree (docs/ARCHITECTURE.md, "Layout"), read from the import
 * statements of services/, shared/ and infra/ (type-only and dynamic imports included):
 * - shared/ imports no service;
 * - no Lambda handler and no job imports the sandbox;
 * - every command and handler reaches the removals module only through its front door: the
 *   composition root services/removals/compose-removals.ts and the public types and helpers of
 *   services/removals/removals.ts; nothing outside the module imports its inside;
 * - inside the module, planning (plan/) and deleting (worker/) do not import each other;
 * - a job imports no other job (a handler and the CLI compose them); no exception;
 * - no store (shared/dynamo/*-store.ts) imports another store;
 * - no import cycle.
 * Jobs: services/{snapshot,removals,events,audit,activity,review,notices}/. The Lambda handlers are
 * services/<function>/handler.ts (plan and worker hold only their handler's wiring), the CLI
 * (services/cli/) is the shell that composes jobs, and the sandbox (services/sandbox/) the local
 * stand-ins.
 */

const ROOT = new URL('..', import.meta.url).pathname;
const JOBS = ['snapshot', 'removals', 'events', 'audit', 'activity', 'review', 'notices'] as const;
/** The front door of the removals module: all that commands and handlers may import of it. */
const REMOVALS_FRONT_DOOR: ReadonlySet<string> = new Set([
  'services/removals/compose-removals.ts',
  'services/removals/removals.ts',
]);

/** Known violations, each to be removed by a change in flight: none are left. */
const KNOWN_VIOLATIONS: ReadonlySet<string> = new Set<string>();

const jobOf = (path: string) =>
  JOBS.find((job) => path.startsWith(`services/${job}/`)) as string | undefined;
const isHandler = (path: string) => /^services\/[^/]+\/handler\.ts$/.test(path);
const isStore = (path: string) => /^shared\/dynamo\/[^/]+-store\.ts$/.test(path);
const inRemovals = (path: string) => path.startsWith('services/removals/');

/** The rule an import breaks, or undefined. */
function brokenRule(e: ImportEdge): string | undefined {
  if (e.from.startsWith('shared/') && e.to.startsWith('services/'))
    return 'shared imports a service';
  if ((isHandler(e.from) || jobOf(e.from)) && e.to.startsWith('services/sandbox/'))
    return 'a handler or job imports the sandbox';
  if (!inRemovals(e.from) && inRemovals(e.to) && !REMOVALS_FRONT_DOOR.has(e.to))
    return 'the removals module entered past its front door';
  if (e.from.startsWith('services/removals/plan/') && e.to.startsWith('services/removals/worker/'))
    return 'planning imports the worker';
  if (e.from.startsWith('services/removals/worker/') && e.to.startsWith('services/removals/plan/'))
    return 'the worker imports planning';
  const [from, to] = [jobOf(e.from), jobOf(e.to)];
  if (from && to && from !== to && !isHandler(e.from)) return 'a job imports another job';
  if (isStore(e.from) && isStore(e.to) && e.from !== e.to) return 'a store imports another store';
  return undefined;
}

describe('architecture', () => {
  const edges = importGraph(ROOT, ['services', 'shared', 'infra']);

  it('reads the import graph of the source tree', () => {
    // A sanity floor: a broken parser that finds nothing must not pass the rules below.
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({
      from: 'services/events/handler.ts',
      to: 'services/removals/compose-removals.ts',
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
    expect(
      brokenRule(e('services/removals/worker/delete-checks.ts', 'services/removals/plan/guard.ts')),
    ).toBe('the worker imports planning');
    expect(brokenRule(e('services/snapshot/run-snapshot.ts', 'services/audit/since.ts'))).toBe(
      'a job imports another job',
    );
    expect(brokenRule(e('services/events/run-events.ts', 'services/removals/removals.ts'))).toBe(
      'a job imports another job',
    );
    expect(
      brokenRule(e('services/removals/plan/run-plan.ts', 'services/events/run-events.ts')),
    ).toBe('a job imports another job');
    expect(
      brokenRule(e('services/activity/handler.ts', 'services/sandbox/cloudtrail/wire.ts')),
    ).toBe('a handler or job imports the sandbox');
    expect(
      brokenRule(e('shared/quicksight-user-rules.ts', 'services/removals/plan/decide.ts')),
    ).toBe('shared imports a service');
    // The front door, and nothing past it, from a handler and from a command.
    expect(
      brokenRule(e('services/events/handler.ts', 'services/removals/compose-removals.ts')),
    ).toBe(undefined);
    expect(brokenRule(e('services/cli/format-plan.ts', 'services/removals/removals.ts'))).toBe(
      undefined,
    );
    expect(brokenRule(e('services/events/handler.ts', 'services/removals/plan/run-plan.ts'))).toBe(
      'the removals module entered past its front door',
    );
    expect(
      brokenRule(e('services/cli/commands/apply.ts', 'services/removals/worker/run-worker.ts')),
    ).toBe('the removals module entered past its front door');
    expect(
      brokenRule(e('services/worker/handler.ts', 'services/removals/worker/progress.ts')),
    ).toBe('the removals module entered past its front door');
    expect(brokenRule(e('shared/dynamo/task-store.ts', 'shared/dynamo/audit-store.ts'))).toBe(
      'a store imports another store',
    );
    expect(brokenRule(e('shared/dynamo/task-store.ts', 'shared/dynamo/batch.ts'))).toBe(undefined);
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
