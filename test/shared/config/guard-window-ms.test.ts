import { describe, expect, it } from 'vitest';
import { guardWindowMs, loadConfig } from '../../../shared/config/index.js';

describe('guardWindowMs: the guard window hours in milliseconds', () => {
  it.each([
    [24, 86_400_000],
    [1, 3_600_000],
    [0.5, 1_800_000],
  ])('%j h is %j ms', (hours, ms) => {
    expect(guardWindowMs({ guardWindowHours: hours })).toBe(ms);
  });

  it('reads IDSYNC_GUARD_WINDOW_HOURS (default 24 h)', () => {
    const env = { IDSYNC_QUICKSIGHT_ACCOUNT_ID: '123456789012' };
    expect(guardWindowMs(loadConfig(['plan'], env).plan)).toBe(86_400_000);
    expect(
      guardWindowMs(loadConfig(['plan'], { ...env, IDSYNC_GUARD_WINDOW_HOURS: '6' }).plan),
    ).toBe(21_600_000);
  });
});
