import { describe, expect, it } from 'vitest';
import { unconfiguredScope } from '../../../../services/removals/worker/delete-checks.js';
import { callOfTask, pacerOfTask } from '../../../../services/removals/worker/task-call.js';
import {
  AccountPacers,
  configuredScopes,
  type ScopeClients,
  scopeRouting,
} from '../../../../services/removals/worker/task-scopes.js';
import type { AssetOwnership } from '../../../../shared/aws/quicksight-assets.js';
import type { QuickSightDeleter } from '../../../../shared/aws/quicksight-users.js';
import type { QuickSightScope } from '../../../../shared/quicksight-scopes.js';
import type { Task } from '../../../../shared/task.js';
import { SAMPLE_TASK } from './fixtures/sample-task.js';

/** Each task in its own QuickSight scope: its account's deletes and pacer, or not called at all. */

const HOME = '111111111111';
const OTHER = '222222222222';
const OTHER_KEY = `${OTHER}/default`;

function deleter(calls: string[], scope: string): QuickSightDeleter {
  return {
    deleteUser: async (name) => {
      calls.push(`${scope}:${name}`);
      return 'deleted';
    },
    deleteUserByPrincipalId: async () => 'not_found',
  };
}

/** The worker's pacers per account, with nothing remembered (`AccountPacers`). */
function accountPacers() {
  const none = { recall: async () => undefined, remember: async () => true };
  const quiet = { info() {}, warn() {} };
  return new AccountPacers(none, 10, quiet);
}

function scoped(calls: string[]) {
  const clients: Record<string, ScopeClients> = {
    default: { accountId: HOME, port: deleter(calls, 'default'), assets: {} as AssetOwnership },
    sales: { accountId: HOME, port: deleter(calls, 'sales'), assets: {} as AssetOwnership },
    [OTHER_KEY]: {
      accountId: OTHER,
      port: deleter(calls, OTHER_KEY),
      assets: {} as AssetOwnership,
    },
  };
  return (key: string | undefined) => clients[key ?? 'default'];
}

const task = (scope?: string): Task => ({ ...SAMPLE_TASK, ...(scope ? { scope } : {}) });

describe('task scopes', () => {
  it('one pacer per account: the home account’s own for both its namespaces, one made for the other', () => {
    const pacers = accountPacers();
    const home = pacers.of(HOME);
    const routing = scopeRouting({ scoped: scoped([]) }, (a) => pacers.of(a));
    expect(routing.of(undefined)?.pacer).toBe(home);
    expect(routing.of('sales')?.pacer).toBe(home);
    const other = routing.of(OTHER_KEY)?.pacer;
    expect(other).toBeDefined();
    expect(other).not.toBe(home);
    expect(routing.of(OTHER_KEY)?.pacer).toBe(other);
    expect(routing.of('333333333333/default')).toBeUndefined();
  });

  it('calls the task in its own scope; a scope not configured is not called', async () => {
    const calls: string[] = [];
    const pacers = accountPacers();
    const home = pacers.of(HOME);
    const routing = scopeRouting({ scoped: scoped(calls) }, (a) => pacers.of(a));
    const deps = {
      quickSight: deleter(calls, 'never'),
      pacer: home,
      scopeOf: (t: Task) => routing.of(t.scope),
    };
    await callOfTask(deps, task());
    await callOfTask(deps, task('sales'));
    await callOfTask(deps, task(OTHER_KEY));
    const unknown = await callOfTask(deps, task('333333333333/default'));
    expect(calls).toEqual([
      `default:${SAMPLE_TASK.userName}`,
      `sales:${SAMPLE_TASK.userName}`,
      `${OTHER_KEY}:${SAMPLE_TASK.userName}`,
    ]);
    expect(unknown.ok).toBe(false);
    expect(pacerOfTask(deps, task(OTHER_KEY))).toBe(routing.of(OTHER_KEY)?.pacer);
    expect(pacerOfTask(deps, task())).toBe(home);
  });

  it('the check before the call holds a QuickSight task of a scope not configured, not a group removal', () => {
    const scopes = configuredScopes({
      quicksight: {
        accountId: HOME,
        namespace: 'default',
        scopes: [
          { accountId: HOME, namespace: 'default', key: 'default' },
          { accountId: OTHER, namespace: 'default', key: OTHER_KEY } as QuickSightScope,
        ],
      },
    });
    expect(unconfiguredScope(task(), scopes)).toBeUndefined();
    expect(unconfiguredScope(task(OTHER_KEY), scopes)).toBeUndefined();
    expect(unconfiguredScope(task('sales'), scopes)).toBe(
      'QuickSight scope sales is not among IDSYNC_QUICKSIGHT_ACCOUNTS: not called (never sent to another account or namespace); held until it is configured again',
    );
    const group = { ...task('sales'), action: 'leave_group' as const, group: 'g@example.com' };
    expect(unconfiguredScope(group, scopes)).toBeUndefined();
    const homeGone = configuredScopes({
      quicksight: {
        accountId: HOME,
        namespace: 'default',
        scopes: [{ accountId: HOME, namespace: 'sales', key: 'sales' }],
      },
    });
    expect(unconfiguredScope(task(), homeGone)).toContain('QuickSight scope default is not among');
  });
});
