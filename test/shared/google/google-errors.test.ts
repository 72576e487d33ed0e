import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyGoogleError, retryAfterOf } from '../../../shared/google/google-errors.js';

/** An error shaped as gaxios throws it for an HTTP answer. */
function httpError(status: number, data: unknown, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`Request failed with status code ${status}`), {
    config: { url: new URL('https://admin.googleapis.com/admin/directory/v1/groups/g/members') },
    response: { status, data, headers: new Headers(headers) },
  });
}

const apiError = (code: number, reason: string, message = 'm') => ({
  error: { code, message, errors: [{ message, domain: 'global', reason }], status: 'X' },
});

describe('classifyGoogleError', () => {
  it.each([
    [403, 'quotaExceeded', 'throttled', true],
    [403, 'userRateLimitExceeded', 'throttled', true],
    [403, 'rateLimitExceeded', 'throttled', true],
    [429, 'rateLimitExceeded', 'throttled', true],
    [503, 'backendError', 'server', true],
    [500, 'internalError', 'server', true],
    [401, 'authError', 'auth', false],
    [403, 'forbidden', 'forbidden', false],
    [404, 'notFound', 'not_found', false],
    [400, 'invalid', 'client', false],
  ])('HTTP %i %s is %s (retryable: %s)', (status, reason, kind, retryable) => {
    const failure = classifyGoogleError(httpError(status, apiError(status, reason, 'why')));
    expect(failure).toMatchObject({ kind, retryable, status });
    expect(failure.summary).toBe(`HTTP ${status} ${reason}: why`);
  });

  it('treats token-endpoint refusals as auth failures, its 5xx as retryable', () => {
    const refused = classifyGoogleError(
      httpError(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }),
    );
    expect(refused).toMatchObject({ kind: 'auth', retryable: false });
    expect(refused.summary).toBe(
      'token endpoint answered 400 invalid_grant (Invalid JWT Signature.)',
    );
    expect(classifyGoogleError(httpError(503, { error: 'temporarily_unavailable' }))).toMatchObject(
      {
        kind: 'server',
        retryable: true,
      },
    );
  });

  it('retries requests that got no answer, not programming errors', () => {
    const reset = Object.assign(new Error('socket hang up'), {
      config: {},
      code: 'ECONNRESET',
    });
    expect(classifyGoogleError(reset)).toEqual({
      kind: 'network',
      retryable: true,
      summary: 'no answer (ECONNRESET)',
    });
    expect(classifyGoogleError(new TypeError('x is not a function'))).toMatchObject({
      kind: 'unknown',
      retryable: false,
    });
    expect(classifyGoogleError('boom')).toMatchObject({ kind: 'unknown', retryable: false });
  });

  it('carries Retry-After of throttling answers', () => {
    const failure = classifyGoogleError(
      httpError(429, apiError(429, 'rateLimitExceeded'), { 'retry-after': '7' }),
    );
    expect(failure.retryAfterMs).toBe(7000);
  });

  it('never puts request headers or bodies in the summary (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 599 }), fc.string(), (status, secret) => {
        const error = httpError(status, apiError(status, 'r', 'msg'));
        Object.assign(error.config, {
          headers: { authorization: `Bearer ${secret}` },
          data: `assertion=${secret}`,
        });
        const { summary } = classifyGoogleError(error);
        return !summary.includes('Bearer') && !summary.includes('assertion=');
      }),
    );
  });
});

describe('retryAfterOf', () => {
  const now = Date.parse('2025-06-01T00:00:00Z');

  it('reads seconds and HTTP dates from fetch headers and plain objects', () => {
    expect(retryAfterOf(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterOf({ 'retry-after': '0.5' }, now)).toBe(500);
    expect(retryAfterOf({ 'retry-after': 'Sun, 01 Jun 2025 00:00:03 GMT' }, now)).toBe(3000);
    expect(retryAfterOf({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterOf(new Headers(), now)).toBeUndefined();
    expect(retryAfterOf(undefined, now)).toBeUndefined();
  });

  it('is never negative (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000, max: 10_000 }), (offsetSeconds) => {
        const date = new Date(now + offsetSeconds * 1000).toUTCString();
        const ms = retryAfterOf({ 'retry-after': date }, now);
        return ms !== undefined && ms >= 0 && ms === Math.max(0, offsetSeconds * 1000);
      }),
    );
  });
});
