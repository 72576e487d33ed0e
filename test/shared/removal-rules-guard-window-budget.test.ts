import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admitDeletion, type WindowBudget, windowAllowance } from '../../shared/removal-rules.js';

/** The worker's way: admit deletions one by one until one is refused. */
function admittedOneByOne(budget: WindowBudget, used: number): number {
  let window = used;
  let beyond = 0;
  let admitted = 0;
  for (;;) {
    const answer = admitDeletion(budget, window, beyond);
    if (answer === 'refused') return admitted;
    if (answer === 'override') beyond++;
    window++;
    admitted++;
  }
}

describe('the guard window budget and its override', () => {
  const budget = { limit: 10, override: 0 };

  it('exactly at the budget: refused; one below: admitted by the budget', () => {
    expect(admitDeletion(budget, 10, 0)).toBe('refused');
    expect(admitDeletion(budget, 9, 0)).toBe('budget');
    expect(windowAllowance(budget, 10)).toBe(0);
    expect(windowAllowance(budget, 9)).toBe(1);
  });

  it('the override counts past what is left of the budget', () => {
    // The window used less than the budget: the rest of the budget, then N more.
    expect(windowAllowance({ limit: 10, override: 5 }, 7)).toBe(8);
    expect(admitDeletion({ limit: 10, override: 5 }, 10, 4)).toBe('override');
    expect(admitDeletion({ limit: 10, override: 5 }, 10, 5)).toBe('refused');
  });

  it('the override is N whatever the window used, also past the budget (earlier overrides)', () => {
    expect(windowAllowance({ limit: 10, override: 5 }, 10)).toBe(5);
    expect(windowAllowance({ limit: 10, override: 5 }, 895)).toBe(5);
    expect(admittedOneByOne({ limit: 10, override: 5 }, 895)).toBe(5);
  });

  it('the plan’s count and the worker’s one-by-one admission agree', () => {
    fc.assert(
      fc.property(
        fc.nat(200),
        fc.nat(200),
        fc.nat(400),
        (limit, override, used) =>
          windowAllowance({ limit, override }, used) ===
          admittedOneByOne({ limit, override }, used),
      ),
    );
  });
});
