import { describe, expect, it } from 'vitest';
import { ScopedQuickSightUsers } from '../../../shared/aws/quicksight-users.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import type { QuickSightPort } from '../../../shared/ports.js';
import type { QuickSightScope } from '../../../shared/quicksight-scopes.js';

/** One listing over every configured scope, rows tagged with their scope; writes by scope. */

const user = (userName: string): QuickSightUser => ({
  userName,
  role: 'READER',
  identityType: 'IAM',
  arn: `arn:${userName}`,
});

function port(
  pages: QuickSightUser[][],
  failAfter?: number,
): QuickSightPort & { deleted: string[] } {
  const deleted: string[] = [];
  return {
    deleted,
    async *listUsers() {
      for (const [i, page] of pages.entries()) {
        if (failAfter !== undefined && i >= failAfter) throw new Error('ListUsers failed');
        yield page;
      }
    },
    deleteUser: async (name) => {
      deleted.push(name);
      return 'deleted';
    },
    deleteUserByPrincipalId: async () => 'not_found',
  };
}

const scope = (accountId: string, namespace: string, key: string): QuickSightScope => ({
  accountId,
  namespace,
  key,
});
const HOME = scope('111111111111', 'default', 'default');
const SALES = scope('111111111111', 'sales', 'sales');
const OTHER = scope('222222222222', 'default', '222222222222/default');

async function listAll(p: QuickSightPort) {
  const out: QuickSightUser[] = [];
  for await (const page of p.listUsers()) out.push(...page);
  return out;
}

describe('ScopedQuickSightUsers', () => {
  it('lists every scope; rows carry their scope key, the home scope’s none', async () => {
    const users = new ScopedQuickSightUsers(
      [
        { scope: HOME, port: port([[user('a')], [user('b')]]) },
        { scope: SALES, port: port([[user('a')]]) },
        { scope: OTHER, port: port([[user('c')]]) },
      ],
      'default',
    );
    expect(await listAll(users)).toEqual([
      user('a'),
      user('b'),
      { ...user('a'), scope: 'sales' },
      { ...user('c'), scope: '222222222222/default' },
    ]);
  });

  it('fails the whole listing when any scope’s listing fails (the snapshot is then PARTIAL)', async () => {
    const users = new ScopedQuickSightUsers(
      [
        { scope: HOME, port: port([[user('a')]]) },
        { scope: OTHER, port: port([[user('c')], [user('d')]], 1) },
      ],
      'default',
    );
    await expect(listAll(users)).rejects.toThrow('ListUsers failed');
  });

  it('finds a scope by key (absent: the home scope), none for a key not configured; its own writes go home', async () => {
    const home = port([]);
    const other = port([]);
    const users = new ScopedQuickSightUsers(
      [
        { scope: HOME, port: home },
        { scope: OTHER, port: other },
      ],
      'default',
    );
    expect(users.of(undefined)?.scope).toBe(HOME);
    expect(users.of('222222222222/default')?.port).toBe(other);
    expect(users.of('333333333333/default')).toBeUndefined();
    expect(users.of('sales')).toBeUndefined();
    await users.deleteUser('x');
    expect(home.deleted).toEqual(['x']);
    expect(other.deleted).toEqual([]);
    const homeless = new ScopedQuickSightUsers([{ scope: OTHER, port: other }], 'default');
    expect(() => homeless.deleteUser('x')).toThrow(/home QuickSight namespace \(default\)/);
  });
});
