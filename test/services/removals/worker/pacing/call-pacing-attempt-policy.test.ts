import {
  AccessDeniedException,
  InternalFailureException,
  ThrottlingException,
} from '@aws-sdk/client-quicksight';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AttemptPolicy,
  DEFAULT_ATTEMPT_POLICY,
  decideAfterCall,
  failureFacts,
} from '../../../../../services/removals/worker/pacing/call-pacing.js';
import { AwsCallError } from '../../../../../shared/aws/aws-errors.js';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const throttle = (retryAfterSeconds?: string) =>
  new AwsCallError(
    'QuickSight',
    'DeleteUser',
    Object.assign(new ThrottlingException({ message: 'Rate exceeded', ...meta(429) }), {
      $response: { headers: retryAfterSeconds ? { 'retry-after': retryAfterSeconds } : {} },
    }),
  );
const serverError = () =>
  new AwsCallError(
    'QuickSight',
    'DeleteUser',
    new InternalFailureException({ message: 'boom', ...meta(500) }),
  );
const denied = () =>
  new AwsCallError(
    'QuickSight',
    'DeleteUser',
    new AccessDeniedException({ message: 'no', ...meta(403) }),
  );
const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('decideAfterCall', () => {
  it('finishes on deleted, and reads not found as already gone (a served call, not an error)', () => {
    expect(decideAfterCall({ ok: true, outcome: 'deleted' }, 1)).toEqual({
      pacer: { kind: 'served' },
      next: { kind: 'finish', outcome: 'deleted' },
      throttled: false,
    });
    expect(decideAfterCall({ ok: true, outcome: 'not_found' }, 3).next).toEqual({
      kind: 'finish',
      outcome: 'already_gone',
    });
  });

  it('retries a throttle, tells the pacer with the Retry-After, and waits at least that long', () => {
    const d = decideAfterCall(
      { ok: false, error: throttle('2') },
      1,
      DEFAULT_ATTEMPT_POLICY,
      () => 0,
    );
    expect(d.pacer).toEqual({ kind: 'throttled', retryAfterMs: 2000 });
    expect(d.throttled).toBe(true);
    expect(d.next).toMatchObject({ kind: 'retry', delayMs: 2000 });
  });

  it('retries 5xx and dropped connections as errors; fails permanent errors at once', () => {
    expect(
      decideAfterCall({ ok: false, error: serverError() }, 1, undefined, () => 0.5),
    ).toMatchObject({
      pacer: { kind: 'error' },
      next: { kind: 'retry', delayMs: 125 },
      throttled: false,
    });
    expect(decideAfterCall({ ok: false, error: reset() }, 2).next.kind).toBe('retry');
    const d = decideAfterCall({ ok: false, error: denied() }, 1);
    expect(d.next).toMatchObject({ kind: 'fail' });
    expect(d.next.kind === 'fail' && d.next.error).toMatch(/AccessDeniedException/);
    expect(decideAfterCall({ ok: false, error: new TypeError('bug') }, 1).next.kind).toBe('fail');
  });

  it('gives up after maxAttempts calls', () => {
    const policy: AttemptPolicy = { baseMs: 10, capMs: 100, maxAttempts: 3 };
    expect(decideAfterCall({ ok: false, error: serverError() }, 2, policy).next.kind).toBe('retry');
    expect(decideAfterCall({ ok: false, error: serverError() }, 3, policy).next.kind).toBe('fail');
  });

  it('never waits longer than the cap, whatever the attempt, the jitter or the Retry-After', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 10 ** 9 }), { nil: undefined }),
        (attempt, capMs, r, retryAfterSeconds) => {
          const policy = { baseMs: 250, capMs, maxAttempts: Number.MAX_SAFE_INTEGER };
          const error =
            retryAfterSeconds === undefined ? serverError() : throttle(String(retryAfterSeconds));
          const d = decideAfterCall({ ok: false, error }, attempt, policy, () => r);
          expect(d.next.kind).toBe('retry');
          if (d.next.kind === 'retry') {
            expect(d.next.delayMs).toBeGreaterThanOrEqual(0);
            expect(d.next.delayMs).toBeLessThanOrEqual(capMs);
          }
        },
      ),
    );
  });

  it('spreads retries of tasks throttled together (full jitter)', () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const delays = Array.from({ length: 200 }, () => {
      const d = decideAfterCall(
        { ok: false, error: serverError() },
        4,
        DEFAULT_ATTEMPT_POLICY,
        random,
      );
      return d.next.kind === 'retry' ? d.next.delayMs : Number.NaN;
    });
    const ceiling = DEFAULT_ATTEMPT_POLICY.baseMs * 2 ** 3;
    expect(Math.max(...delays)).toBeLessThanOrEqual(ceiling);
    expect(Math.min(...delays)).toBeLessThan(ceiling * 0.1);
    expect(Math.max(...delays)).toBeGreaterThan(ceiling * 0.9);
    expect(new Set(delays.map((d) => Math.floor(d / (ceiling / 10)))).size).toBe(10);
  });
});

describe('failureFacts', () => {
  it('reads raw SDK errors as well as AwsCallErrors', () => {
    expect(failureFacts(new ThrottlingException({ message: 'x', ...meta(429) }))).toMatchObject({
      throttled: true,
      retryable: true,
    });
    expect(failureFacts(throttle('1'))).toEqual({
      throttled: true,
      retryable: true,
      retryAfterMs: 1000,
    });
    expect(failureFacts(denied())).toEqual({ throttled: false, retryable: false });
  });
});

describe('a 404 after idsync already called', () => {
  it("is idsync's own deletion, confirmed on retry; without an earlier call it is already gone", () => {
    const gone = { ok: true, outcome: 'not_found' } as const;
    expect(decideAfterCall(gone, 1).next).toEqual({ kind: 'finish', outcome: 'already_gone' });
    expect(decideAfterCall(gone, 1, DEFAULT_ATTEMPT_POLICY, Math.random, true).next).toEqual({
      kind: 'finish',
      outcome: 'deleted',
      confirmedOnRetry: true,
    });
    const deleted = { ok: true, outcome: 'deleted' } as const;
    expect(decideAfterCall(deleted, 2, DEFAULT_ATTEMPT_POLICY, Math.random, true).next).toEqual({
      kind: 'finish',
      outcome: 'deleted',
    });
  });
});
