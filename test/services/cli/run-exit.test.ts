import { describe, expect, it } from 'vitest';
import { hasInvalid, runExitCode } from '../../../services/cli/run-exit.js';
import type { PlanRunResult } from '../../../services/removals/plan/run-plan.js';
import { ExitCode } from '../../../shared/errors.js';

/** A plan result with only what the exit code reads: the guard, the window's blocked count, the invalid count. */
function plan(o: { tripped?: boolean; windowBlocked?: number; invalid?: number }): PlanRunResult {
  return {
    plan: {
      decisions: [],
      guard: { tripped: o.tripped ?? false, reasons: [], howToOverride: '' },
      counts: {
        delete: 0,
        not_found: 0,
        protected: 0,
        deferred: 0,
        blocked: 0,
        invalid: o.invalid ?? 0,
      },
    },
    ...(o.windowBlocked === undefined ? {} : { window: { blocked: o.windowBlocked } }),
  } as unknown as PlanRunResult;
}

const applied = (o: {
  failed?: number;
  blocked?: number;
  leftPending?: number;
  leftLeased?: number;
}) => ({
  failed: o.failed ?? 0,
  blocked: o.blocked ?? 0,
  leftPending: o.leftPending ?? 0,
  leftLeased: o.leftLeased ?? 0,
});

describe('runExitCode', () => {
  it('is 3 when the guard tripped or blocked deletions, before anything else', () => {
    expect(runExitCode({ plan: plan({ tripped: true }) })).toBe(ExitCode.GuardOrPartial);
    expect(runExitCode({ plan: plan({ windowBlocked: 2 }) })).toBe(ExitCode.GuardOrPartial);
    expect(runExitCode({ plan: plan({}), applied: applied({ blocked: 1, failed: 3 }) })).toBe(
      ExitCode.GuardOrPartial,
    );
    expect(runExitCode({ plan: plan({ tripped: true, invalid: 1 }), inputFailed: true })).toBe(
      ExitCode.GuardOrPartial,
    );
  });

  it('is 4 when a task failed or was left, or some input was unusable', () => {
    expect(runExitCode({ applied: applied({ failed: 1 }) })).toBe(ExitCode.ItemsFailed);
    expect(runExitCode({ applied: applied({ leftPending: 1 }) })).toBe(ExitCode.ItemsFailed);
    expect(runExitCode({ applied: applied({ leftLeased: 1 }) })).toBe(ExitCode.ItemsFailed);
    expect(runExitCode({ plan: plan({}), inputFailed: true })).toBe(ExitCode.ItemsFailed);
  });

  it('is 0 for a clean run, planned or applied', () => {
    expect(runExitCode({})).toBe(ExitCode.Ok);
    expect(runExitCode({ plan: plan({ windowBlocked: 0 }) })).toBe(ExitCode.Ok);
    expect(runExitCode({ plan: plan({}), applied: applied({}) })).toBe(ExitCode.Ok);
  });

  it('counts invalid removals only where the caller says so', () => {
    expect(hasInvalid(plan({ invalid: 1 }))).toBe(true);
    expect(hasInvalid(plan({}))).toBe(false);
    expect(hasInvalid(undefined)).toBe(false);
    expect(runExitCode({ plan: plan({ invalid: 1 }) })).toBe(ExitCode.Ok);
  });
});
