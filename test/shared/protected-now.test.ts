import { describe, expect, it } from 'vitest';
import { buildProtection, protectedNowReason } from '../../shared/removal-rules.js';

describe('protectedNowReason', () => {
  const protection = buildProtection(['ADMIN'], ['boss@example.com']);
  const task = { email: 'ann@example.com', userName: 'READER/ann@example.com', role: 'READER' };

  it('is undefined when neither the queued role nor the listed one is protected', () => {
    expect(protectedNowReason(protection, task, { role: 'READER' })).toBeUndefined();
    expect(protectedNowReason(protection, task, undefined)).toBeUndefined();
  });

  it('protects by the role the snapshot lists now, not only the queued one', () => {
    expect(protectedNowReason(protection, task, { role: 'ADMIN' })).toMatch(/^protected now: /);
    expect(protectedNowReason(protection, { ...task, role: 'ADMIN' }, undefined)).toMatch(
      /^protected now: /,
    );
  });

  it('protects by the email QuickSight lists for the user', () => {
    expect(
      protectedNowReason(protection, task, { role: 'READER', email: 'boss@example.com' }),
    ).toMatch(/^protected now: /);
  });
});
