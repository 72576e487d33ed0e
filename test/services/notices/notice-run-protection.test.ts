import { describe, expect, it } from 'vitest';
import { protectedByPlan, runNoticeRule } from '../../../services/notices/notice-run.js';
import { loadTemplates } from '../../../services/notices/notice-template.js';
import type { Removal } from '../../../shared/domain.js';
import type { IdleUser } from '../../../shared/idle-selection.js';

/**
 * A protected user is never removed, so never told they will be: `idsync inactive` and the
 * review both pass the plan's protection to the notice rule (services/notices/notice-run.ts).
 */

const NOW = new Date('2026-12-07T10:00:00Z');
const idle = (name: string, role = 'READER'): IdleUser => ({
  email: `${name}@example.com`,
  userName: `${role.toLowerCase()}/${name}@example.com`,
  role,
  verdict: { reason: 'no activity in 60 days' },
});
const removalOf = (u: IdleUser): Removal =>
  ({ email: u.email, userName: u.userName, source: 'inactive' }) as unknown as Removal;

async function dryRun(isProtected?: (u: IdleUser) => boolean) {
  const users = [idle('ann'), idle('bob'), idle('cat')];
  const sent: string[] = [];
  const result = await runNoticeRule(
    {
      store: { all: async function* () {} } as never,
      activity: { get: async () => undefined },
      mailer: () => {
        sent.push('mailer built');
        return {} as never;
      },
    },
    { idle: users, removals: users.map(removalOf) },
    {
      namespace: 'default',
      apply: false,
      now: NOW,
      from: 'idsync@example.com',
      contact: 'it@example.com',
      days: 14,
      locale: 'en',
      templates: await loadTemplates('en', undefined),
      ...(isProtected ? { isProtected } : {}),
    },
  );
  return { result, sent };
}

describe('the notice rule and protection', () => {
  it('sends no notice to a protected user and passes their removal on to the plan', async () => {
    const plan = { protectedRoles: ['ADMIN'], protectedUsers: ['BOB@example.com'] };
    const { result, sent } = await dryRun(protectedByPlan(plan));
    expect(result.steps.map((s) => s.user.email)).toEqual(['ann@example.com', 'cat@example.com']);
    expect(result.steps.every((s) => s.kind === 'notify')).toBe(true);
    // Bob goes on to the plan (which records him protected); Ann and Cat wait for their notice.
    expect(result.removals.map((r) => r.email)).toEqual(['bob@example.com']);
    expect(sent).toEqual([]);
  });

  it('without protection every idle user is judged by the notice rule', async () => {
    const { result } = await dryRun();
    expect(result.steps).toHaveLength(3);
    expect(result.removals).toEqual([]);
  });
});
