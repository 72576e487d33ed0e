import { describe, expect, it } from 'vitest';
import { validateEnvironment } from '../../infra/stacks/environment.js';
import { ConfigError } from '../../shared/errors.js';

const base = {
  IDSYNC_GOOGLE_GROUPS: 'readers@example.com',
  IDSYNC_GOOGLE_CREDENTIALS: '/var/task/key.json',
  IDSYNC_GOOGLE_SUBJECT: 'admin@example.com',
  IDSYNC_IDENTITY_STORE_ID: 'd-1234567890',
  IDSYNC_QUICKSIGHT_ACCOUNT_ID: '123456789012',
};

describe('validateEnvironment', () => {
  it('fails synth on a bad keep group, which the snapshot function reads', () => {
    expect(() => validateEnvironment(base)).not.toThrow();
    expect(() =>
      validateEnvironment({ ...base, IDSYNC_INACTIVE_KEEP_GROUPS: 'reports@example.com' }),
    ).not.toThrow();
    expect(() => validateEnvironment({ ...base, IDSYNC_INACTIVE_KEEP_GROUPS: 'reports' })).toThrow(
      ConfigError,
    );
  });
});
