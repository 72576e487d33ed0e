import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ExitCode,
  exitCodeFor,
  GuardTrippedError,
  IdsyncError,
  ItemsFailedError,
  isRetryable,
  NotFoundError,
  NotImplementedError,
  PartialSnapshotError,
  RemoteServiceError,
  ServiceUnreachableError,
  UsageError,
} from '../../shared/errors.js';

describe('error hierarchy', () => {
  it('carries name, cause and retryable', () => {
    const cause = new Error('socket hang up');
    const error = new RemoteServiceError('QuickSight', 'ListUsers failed', {
      cause,
      retryable: true,
    });
    expect(error).toBeInstanceOf(IdsyncError);
    expect(error.name).toBe('RemoteServiceError');
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('QuickSight: ListUsers failed');
    expect(isRetryable(error)).toBe(true);
    expect(isRetryable(new NotFoundError('x'))).toBe(false);
    expect(isRetryable(new Error('plain'))).toBe(false);
  });

  it('maps every error to its exit code (docs/ARCHITECTURE.md)', () => {
    const cases: Array<[unknown, number]> = [
      [new ConfigError('IDSYNC_RATE', 'must be a number'), 2],
      [new UsageError('bad flag'), 2],
      [new GuardTrippedError('too many'), 3],
      [new PartialSnapshotError('page 3'), 3],
      [new ItemsFailedError('2 failed'), 4],
      [new NotFoundError('unknown user'), 1],
      [new NotImplementedError('idsync plan'), 1],
      [new RemoteServiceError('DynamoDB', 'down'), 1],
      [new ServiceUnreachableError('DynamoDB', 'http://127.0.0.1:1', 'ECONNREFUSED'), 5],
      [new TypeError('boom'), 1],
      ['a string', 1],
    ];
    for (const [error, code] of cases) expect(exitCodeFor(error)).toBe(code);
    expect(ExitCode).toEqual({
      Ok: 0,
      Unexpected: 1,
      Usage: 2,
      GuardOrPartial: 3,
      ItemsFailed: 4,
      Unreachable: 5,
    });
  });

  it('names the variable in a ConfigError', () => {
    const error = new ConfigError('IDSYNC_RATE', 'must be a number');
    expect(error.name).toBe('ConfigError');
    expect(error.variable).toBe('IDSYNC_RATE');
    expect(error.message).toBe('IDSYNC_RATE: must be a number');
    expect(error.problems).toEqual([{ variable: 'IDSYNC_RATE', problem: 'must be a number' }]);
  });

  it('lists every problem of a ConfigError, the first as its variable', () => {
    const error = new ConfigError('IDSYNC_RATE', 'must be a number', [
      { variable: 'AWS_REGION', problem: 'must be an AWS region' },
    ]);
    expect(error.variable).toBe('IDSYNC_RATE');
    expect(error.problems).toHaveLength(2);
    expect(error.message).toBe(
      '2 configuration problems: IDSYNC_RATE: must be a number; AWS_REGION: must be an AWS region',
    );
  });

  it('says a service could not be reached, naming it and its URL (exit 5)', () => {
    const error = new ServiceUnreachableError('QuickSight', 'http://q', 'ENOTFOUND');
    expect(error.message).toBe('QuickSight at http://q is unreachable (ENOTFOUND)');
    expect(error.retryable).toBe(true);
    const said = new ServiceUnreachableError('QuickSight', 'http://q', 'ENOTFOUND', {
      said: 'QuickSight: ListUsers failed: QuickSight at http://q is unreachable (ENOTFOUND)',
    });
    expect(said.message).toMatch(/^QuickSight: ListUsers failed/);
  });
});
