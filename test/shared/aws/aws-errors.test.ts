import {
  ResourceNotFoundException as IdcResourceNotFoundException,
  ThrottlingException as IdcThrottlingException,
} from '@aws-sdk/client-identitystore';
import {
  AccessDeniedException,
  InternalFailureException,
  ResourceNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-quicksight';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AwsCallError,
  awsSetupProblem,
  callWithRetry,
  classifyAwsError,
  isResourceNotFound,
} from '../../../shared/aws/aws-errors.js';
import { ConfigError, ExitCode, exitCodeFor, RemoteServiceError } from '../../../shared/errors.js';

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const networkError = (code: string, message = 'network') =>
  Object.assign(new Error(message), { code });

describe('classifyAwsError', () => {
  it('retries throttling, whatever status code carried it', () => {
    const qs = new ThrottlingException({ message: 'Rate exceeded', ...metadata(429) });
    expect(classifyAwsError(qs)).toMatchObject({
      retryable: true,
      throttled: true,
      httpStatusCode: 429,
    });
    const idc = new IdcThrottlingException({ message: 'slow down', ...metadata(400) });
    expect(classifyAwsError(idc)).toMatchObject({
      retryable: true,
      throttled: true,
      code: 'ThrottlingException',
    });
    const tooMany = Object.assign(new Error('x'), { name: 'TooManyRequestsException' });
    expect(classifyAwsError(tooMany)).toMatchObject({ retryable: true, throttled: true });
  });

  it('retries server faults and dropped connections, but not client errors', () => {
    const server = new InternalFailureException({ message: 'boom', ...metadata(500) });
    expect(classifyAwsError(server)).toMatchObject({ retryable: true, throttled: false });
    for (const code of ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNREFUSED'])
      expect(classifyAwsError(networkError(code)).retryable).toBe(true);
    expect(classifyAwsError(new Error('socket hang up')).retryable).toBe(true);
    expect(
      classifyAwsError(Object.assign(new Error('t'), { name: 'TimeoutError' })).retryable,
    ).toBe(true);
    expect(classifyAwsError(Object.assign(new Error('?'), { $retryable: {} })).retryable).toBe(
      true,
    );
    const notFound = new ResourceNotFoundException({ message: 'gone', ...metadata(404) });
    expect(classifyAwsError(notFound)).toMatchObject({ retryable: false, throttled: false });
    const denied = new AccessDeniedException({ message: 'no', ...metadata(401) });
    expect(classifyAwsError(denied).retryable).toBe(false);
    for (const value of [undefined, null, 'text', 42, new Error('plain')])
      expect(classifyAwsError(value).retryable).toBe(false);
  });

  it('reads the requested wait from RetryAfterSeconds or a Retry-After header', () => {
    const member = new IdcThrottlingException({
      message: 'x',
      RetryAfterSeconds: 3,
      ...metadata(429),
    });
    expect(classifyAwsError(member).retryAfterMs).toBe(3000);
    const withHeader = (value: string) =>
      Object.defineProperty(
        new ThrottlingException({ message: 'x', ...metadata(429) }),
        '$response',
        {
          value: { headers: { 'retry-after': value } },
        },
      );
    expect(classifyAwsError(withHeader('7')).retryAfterMs).toBe(7000);
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(classifyAwsError(withHeader(inAMinute)).retryAfterMs).toBeGreaterThan(55_000);
    expect(classifyAwsError(withHeader('soon')).retryAfterMs).toBeUndefined();
  });

  it('never throws, and any 429 or 5xx status is retryable while other 4xx are not', () => {
    fc.assert(fc.property(fc.anything(), (value) => void classifyAwsError(value)));
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 599 }), (status) => {
        const error = Object.assign(new Error('e'), { name: 'SomeError', ...metadata(status) });
        expect(classifyAwsError(error).retryable).toBe(status === 429 || status >= 500);
      }),
    );
  });
});

describe('isResourceNotFound', () => {
  it('matches a 404 about the wanted resource type, or about an unnamed one', () => {
    const about = (ResourceType?: 'USER' | 'IDENTITY_STORE') =>
      new IdcResourceNotFoundException({
        message: 'x',
        ...metadata(404),
        ...(ResourceType ? { ResourceType } : {}),
      });
    expect(isResourceNotFound(about('USER'), 'USER')).toBe(true);
    expect(isResourceNotFound(about(), 'USER')).toBe(true);
    expect(isResourceNotFound(about('IDENTITY_STORE'), 'USER')).toBe(false);
    expect(isResourceNotFound(new Error('x'), 'USER')).toBe(false);
  });
});

describe('callWithRetry', () => {
  const policy = { baseMs: 10, capMs: 100, maxAttempts: 4 };

  it('retries transient failures with bounded backoff, honouring Retry-After as a floor', async () => {
    const failures = [
      new IdcThrottlingException({ message: 'x', RetryAfterSeconds: 0.05, ...metadata(429) }),
      networkError('ECONNRESET'),
    ];
    const waits: number[] = [];
    const retries: string[] = [];
    const result = await callWithRetry(
      'Svc',
      'Op',
      async () => {
        const failure = failures.shift();
        if (failure) throw failure;
        return 'done';
      },
      {
        retry: policy,
        sleep: async (ms) => void waits.push(ms),
        onRetry: (info) => retries.push(`${info.operation}#${info.attempt}`),
      },
    );
    expect(result).toBe('done');
    expect(retries).toEqual(['Op#1', 'Op#2']);
    expect(waits[0]).toBeGreaterThanOrEqual(50);
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(policy.capMs);
  });

  it('gives up after the policy attempts with a retryable AwsCallError carrying the cause', async () => {
    let calls = 0;
    const cause = new InternalFailureException({ message: 'boom', ...metadata(500) });
    const error = await callWithRetry(
      'QuickSight',
      'ListUsers page 3',
      async () => {
        calls++;
        throw cause;
      },
      { retry: policy, sleep: async () => {} },
    ).catch((e: unknown) => e);
    expect(calls).toBe(policy.maxAttempts);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toBeInstanceOf(RemoteServiceError);
    expect(error).toMatchObject({ retryable: true, throttled: false, cause, httpStatusCode: 500 });
    expect((error as Error).message).toMatch(
      /QuickSight: ListUsers page 3 failed after 4 attempts/,
    );
  });

  it('does not retry a permanent failure', async () => {
    let calls = 0;
    const error = await callWithRetry(
      'QuickSight',
      'ListUsers',
      async () => {
        calls++;
        throw new AccessDeniedException({ message: 'no', ...metadata(401) });
      },
      { retry: policy, sleep: async () => {} },
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(error).toMatchObject({
      name: 'RemoteServiceError',
      retryable: false,
      code: 'AccessDeniedException',
    });
  });
});

describe('awsSetupProblem', () => {
  // The shapes the SDK throws (checked against @aws-sdk/credential-provider-node and
  // @smithy/core's region resolution with no credentials and no region configured).
  const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
    name: 'CredentialsProviderError',
  });
  const noRegion = new Error('Region is missing');

  it('turns missing credentials or region into a configuration error (exit 2) with a hint', () => {
    const credentials = awsSetupProblem(noCredentials);
    expect(credentials).toBeInstanceOf(ConfigError);
    expect(credentials?.exitCode).toBe(ExitCode.Usage);
    expect(credentials?.message).toMatch(/no AWS credentials found \(set AWS_PROFILE/);
    expect(awsSetupProblem(noRegion)?.message).toMatch(/^AWS_REGION: no AWS region found/);
  });

  it("finds them behind the adapters' wrapping, and nothing else", () => {
    const wrapped = new AwsCallError('QuickSight', 'ListUsers page 1', noCredentials);
    expect(awsSetupProblem(wrapped)?.variable).toBe('AWS_PROFILE');
    expect(awsSetupProblem(new Error('outer', { cause: noRegion }))?.variable).toBe('AWS_REGION');
    expect(awsSetupProblem(new ThrottlingException({ message: 'slow', $metadata: {} }))).toBe(
      undefined,
    );
    expect(awsSetupProblem(undefined)).toBe(undefined);
    expect(awsSetupProblem('Region is missing')).toBe(undefined);
  });

  it('returns a role refusal (a ConfigError from the credentials) found behind the wrapping', () => {
    const refused = new ConfigError(
      'IDSYNC_QUICKSIGHT_ROLE_ARN',
      'STS refused to let idsync assume …',
    );
    const wrapped = new AwsCallError('QuickSight', 'ListUsers page 1', refused);
    expect(awsSetupProblem(wrapped)).toBe(refused);
    expect(exitCodeFor(awsSetupProblem(wrapped))).toBe(ExitCode.Usage);
  });
});
