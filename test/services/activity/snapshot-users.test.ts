import { describe, expect, it } from 'vitest';
import { usersOfScope } from '../../../services/activity/snapshot-users.js';
import type { QuickSightUser } from '../../../shared/domain.js';

const user = (userName: string, scope?: string): QuickSightUser => ({
  userName,
  email: userName,
  role: 'READER',
  identityType: 'IAM',
  arn: `arn:aws:quicksight:eu-west-1:111111111111:user/default/${userName}`,
  ...(scope ? { scope } : {}),
});

describe('usersOfScope', () => {
  it("keeps one scope's users: rows without a scope are the home namespace's", () => {
    const users = [
      user('a@example.com'),
      user('a@example.com', '222222222222/sales'),
      user('b@example.com', 'default'),
      user('c@example.com', 'sales'),
    ];
    const names = (key: string) =>
      usersOfScope(users, key, 'default').map((u) => `${u.scope ?? '-'}:${u.userName}`);
    expect(names('default')).toEqual(['-:a@example.com', 'default:b@example.com']);
    expect(names('222222222222/sales')).toEqual(['222222222222/sales:a@example.com']);
    expect(names('sales')).toEqual(['sales:c@example.com']);
    expect(names('333333333333/default')).toEqual([]);
  });
});
