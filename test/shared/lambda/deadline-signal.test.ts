import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deadlineSignal } from '../../../shared/lambda/deadline-signal.js';

const remaining = (ms: number) => ({ getRemainingTimeInMillis: () => ms });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('deadlineSignal', () => {
  it('is aborted at once when exactly the margin is left', () => {
    const signal = deadlineSignal(remaining(30_000), 30_000);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe('TimeoutError');
  });

  it('with 1 ms more than the margin, aborts 1 ms later and not before', () => {
    const signal = deadlineSignal(remaining(30_001), 30_000);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(0);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
  });

  it('fires the margin before the deadline', () => {
    const signal = deadlineSignal(remaining(300_000), 20_000);
    vi.advanceTimersByTime(279_999);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
  });

  it('without a Lambda context: the assumed remaining time, or never', () => {
    const assumed = deadlineSignal(undefined, 20_000, 300_000);
    const never = deadlineSignal({}, 20_000);
    vi.advanceTimersByTime(279_999);
    expect(assumed.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(assumed.aborted).toBe(true);
    vi.advanceTimersByTime(10 * 86_400_000);
    expect(never.aborted).toBe(false);
  });

  it('prefers the context over the assumed time', () => {
    expect(deadlineSignal(remaining(5_000), 20_000, 300_000).aborted).toBe(true);
  });
});
