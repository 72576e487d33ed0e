import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/index.js';
import { ConfigError } from '../../../shared/errors.js';

/** Every configuration problem is reported in one error, each naming its variable. */

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration problems reported at once', () => {
  it('lists every missing required variable of the sections asked for, in one error', () => {
    const error = errorOf(() => loadConfig(['google', 'identityStore', 'quicksight'], {}));
    expect(error.problems.map((p) => p.variable)).toEqual([
      'IDSYNC_GOOGLE_GROUPS',
      'IDSYNC_GOOGLE_CREDENTIALS',
      'IDSYNC_GOOGLE_SUBJECT',
      'IDSYNC_IDENTITY_STORE_ID',
      'IDSYNC_QUICKSIGHT_ACCOUNT_ID',
    ]);
    for (const p of error.problems) expect(p.problem).toMatch(/^is required \(/);
    expect(error.message).toMatch(/^5 configuration problems: IDSYNC_GOOGLE_GROUPS: is required/);
    expect(error.message).not.toContain('\n');
    expect(error.exitCode).toBe(2);
  });

  it('lists bad values and missing ones together, each with what is wrong', () => {
    const error = errorOf(() =>
      loadConfig(['worker', 'quicksight'], {
        IDSYNC_RATE: 'fast',
        IDSYNC_CONCURRENCY: '0',
        AWS_REGION: 'moon',
        IDSYNC_LOG_LEVEL: 'loud',
      }),
    );
    const byName = Object.fromEntries(error.problems.map((p) => [p.variable, p.problem]));
    expect(Object.keys(byName).sort()).toEqual([
      'AWS_REGION',
      'IDSYNC_CONCURRENCY',
      'IDSYNC_LOG_LEVEL',
      'IDSYNC_QUICKSIGHT_ACCOUNT_ID',
      'IDSYNC_RATE',
    ]);
    expect(byName.IDSYNC_RATE).toMatch(/must be a plain decimal number .*\(got "fast"\)/);
    expect(byName.IDSYNC_CONCURRENCY).toMatch(/must be from 1 to 256/);
    expect(byName.AWS_REGION).toMatch(/must be an AWS region/);
    expect(byName.IDSYNC_QUICKSIGHT_ACCOUNT_ID).toMatch(/is required/);
    // The variable read twice (validated, then built) is listed once.
    expect(error.problems.length).toBe(5);
  });

  it('a bad variable of a section not asked for is still reported, next to a missing one', () => {
    const error = errorOf(() => loadConfig(['google'], { IDSYNC_INACTIVE_DAYS: '91' }));
    expect(error.problems.map((p) => p.variable)).toContain('IDSYNC_INACTIVE_DAYS');
    expect(error.problems.map((p) => p.variable)).toContain('IDSYNC_GOOGLE_SUBJECT');
  });

  it('one problem keeps the one-problem message', () => {
    const error = errorOf(() => loadConfig([], { IDSYNC_RATE: '0' }));
    expect(error.problems).toHaveLength(1);
    expect(error.message).toBe('IDSYNC_RATE: must be from 0.1 to 1000 (got "0")');
  });

  it('never shows the value of a secret variable', () => {
    const secret = 'SECRET-do-not-print-0123';
    const error = errorOf(() =>
      loadConfig(['google'], {
        IDSYNC_GOOGLE_CREDENTIALS: `  ${secret}\n`,
        IDSYNC_GOOGLE_GROUPS: 'x',
        AWS_SECRET_ACCESS_KEY: secret,
      }),
    );
    expect(error.problems.map((p) => p.variable)).toContain('AWS_ACCESS_KEY_ID');
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain('do-not-print');
  });
});
