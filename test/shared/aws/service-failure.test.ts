import { describe, expect, it } from 'vitest';
import { describeNoAnswer, readServiceFailure } from '../../../shared/aws/service-failure.js';
import { RemoteServiceError } from '../../../shared/errors.js';

const endpoints = [
  { service: 'DynamoDB', url: 'http://127.0.0.1:4000' },
  { service: 'QuickSight', url: 'http://127.0.0.1:4001' },
  { service: 'Google Directory', url: 'https://admin.googleapis.com/' },
];

const refused = (port: number) =>
  Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), {
    code: 'ECONNREFUSED',
    address: '127.0.0.1',
    port,
    $metadata: { attempts: 3 },
  });

describe('readServiceFailure', () => {
  it('matches a raw transport error to the endpoint it failed to reach', () => {
    expect(readServiceFailure(refused(4000), endpoints)).toEqual({
      kind: 'unreachable',
      service: 'DynamoDB',
      url: 'http://127.0.0.1:4000',
      reason: 'ECONNREFUSED',
    });
    const unknownHost = Object.assign(new Error('getaddrinfo ENOTFOUND admin.googleapis.com'), {
      code: 'ENOTFOUND',
      hostname: 'admin.googleapis.com',
    });
    expect(readServiceFailure(unknownHost, endpoints)).toMatchObject({
      service: 'Google Directory',
      reason: 'ENOTFOUND',
    });
  });

  it("keeps an adapter's own words, and reads whether it could reach its service", () => {
    const wrapped = new RemoteServiceError('QuickSight', 'ListUsers failed: x', {
      cause: refused(4001),
    });
    expect(readServiceFailure(wrapped, endpoints)).toEqual({
      kind: 'unreachable',
      service: 'QuickSight',
      url: 'http://127.0.0.1:4001',
      reason: 'ECONNREFUSED',
      said: 'QuickSight: ListUsers failed: x',
    });
    // Google says so in its message (no cause); a timeout after the retries too.
    const google = new RemoteServiceError(
      'Google Directory',
      'listing members of g, page 1: Google Directory at https://admin.googleapis.com/ is unreachable (getaddrinfo EAI_AGAIN admin.googleapis.com); gave up after 6 attempts',
    );
    expect(readServiceFailure(google, endpoints)).toMatchObject({
      service: 'Google Directory',
      reason: 'EAI_AGAIN',
    });
    const timeout = Object.assign(new Error('LookupEvents timed out after 10000 ms'), {
      name: 'TimeoutError',
    });
    expect(
      readServiceFailure(new RemoteServiceError('CloudTrail', 'y', { cause: timeout }), endpoints),
    ).toMatchObject({ service: 'CloudTrail', reason: 'timed out', url: 'its endpoint' });
    // The service's own answer (access denied) is not "unreachable".
    const denied = Object.assign(new Error('not allowed'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
    expect(
      readServiceFailure(new RemoteServiceError('QuickSight', 'z', { cause: denied }), endpoints),
    ).toBeUndefined();
  });

  it('leaves plain errors alone', () => {
    expect(readServiceFailure(new Error('boom'), endpoints)).toBeUndefined();
    expect(readServiceFailure('text', endpoints)).toBeUndefined();
  });

  it('reads a DynamoDB ResourceNotFoundException as missing tables', () => {
    const rnf = Object.assign(new Error('Requested resource not found'), {
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(readServiceFailure(rnf, endpoints)).toEqual({ kind: 'missing_table' });
  });

  it('survives a cause cycle', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    a.cause = a;
    expect(readServiceFailure(a, endpoints)).toBeUndefined();
  });
});

describe('describeNoAnswer', () => {
  it('says unreachable, timed out, or not an answer of that service', () => {
    expect(describeNoAnswer('QuickSight', 'http://q', refused(1))).toBe(
      'QuickSight at http://q is unreachable (ECONNREFUSED)',
    );
    expect(describeNoAnswer('QuickSight', undefined, refused(1))).toBe(
      'QuickSight at 127.0.0.1:1 is unreachable (ECONNREFUSED)',
    );
    const timeout = Object.assign(new Error('exceeded'), {
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
    });
    expect(describeNoAnswer('IdentityStore', 'http://i', timeout)).toBe(
      'IdentityStore at http://i did not answer in time (timed out)',
    );
    const unknown = Object.assign(new Error('UnknownError'), {
      name: 'Unknown',
      $metadata: { httpStatusCode: 404 },
    });
    expect(describeNoAnswer('QuickSight', 'http://q', unknown)).toMatch(
      /answered HTTP 404 with something that is not a QuickSight answer/,
    );
    const throttled = Object.assign(new Error('slow down'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 429 },
    });
    expect(describeNoAnswer('QuickSight', 'http://q', throttled)).toBeUndefined();
  });
});
