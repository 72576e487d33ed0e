import { describe, expect, it } from 'vitest';
import {
  leavingByTasks,
  livingByDescribe,
  sharesToHandOver,
} from '../../../../services/removals/handover/handover-planning.js';
import { OWNER_ACTIONS } from '../../../../shared/asset-owner-actions.js';
import type { SharedAsset } from '../../../../shared/aws/quicksight-assets.js';
import type { Task } from '../../../../shared/task.js';

const ARN = (n: string) => `arn:aws:quicksight:us-east-1:111122223333:user/default/${n}`;
const GROUP = 'arn:aws:quicksight:us-east-1:111122223333:group/default/analysts';
const shared = (id: string, ...owners: string[]): SharedAsset => ({
  type: 'dashboard',
  id,
  arn: `arn:${id}`,
  permissions: owners.map((principal) => ({ principal, actions: OWNER_ACTIONS.dashboard })),
});
const users: Record<string, { userName: string; arn: string; role: string }> = {
  bob: { userName: 'bob', arn: ARN('bob'), role: 'AUTHOR' },
  rita: { userName: 'rita', arn: ARN('rita'), role: 'READER' },
};

function taskOf(userName: string, change: Partial<Task>): Task {
  return {
    taskId: `default#${userName}`,
    status: 'PENDING',
    runId: 'plan-1',
    userName,
    arn: ARN(userName),
    role: 'AUTHOR',
    source: 'group_removal',
    reason: 'left',
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
    attempts: 0,
    ...change,
  } as Task;
}

describe('sharesToHandOver', () => {
  it('keeps what a living owner shares; hands over what only gone or non-owning users share', async () => {
    const asked: string[] = [];
    const living = livingByDescribe(async (name) => {
      asked.push(name);
      return users[name];
    });
    const out = await sharesToHandOver(
      [
        shared('with-bob', ARN('ann'), ARN('bob')),
        shared('with-group', ARN('ann'), GROUP),
        shared('with-gone', ARN('ann'), ARN('cid')),
        shared('with-reader', ARN('ann'), ARN('rita'), ARN('cid')),
        shared('not-mine', ARN('bob'), ARN('cid')),
      ],
      ARN('ann'),
      living,
    );
    expect(out.map((a) => a.id)).toEqual(['with-gone', 'with-reader']);
    expect(out[0]).toEqual({ type: 'dashboard', id: 'with-gone', arn: 'arn:with-gone' });
    // Each owner looked up once; the group never.
    expect(asked.sort()).toEqual(['bob', 'cid', 'rita']);
  });

  it('a look-up that fails throws (the worker defers the task)', async () => {
    const living = livingByDescribe(async () => {
      throw new Error('throttled');
    });
    await expect(
      sharesToHandOver([shared('s', ARN('ann'), ARN('bob'))], ARN('ann'), living),
    ).rejects.toThrow('throttled');
  });
});

describe('leavingByTasks', () => {
  const store = (tasks: Task[]) => ({
    async get(id: string) {
      return tasks.find((t) => t.taskId === id);
    },
  });

  it('a co-owner whose open task ends its ownership is leaving, and so not living', async () => {
    const open = leavingByTasks(store([taskOf('bob', { status: 'IN_PROGRESS' })]));
    expect(await open(ARN('bob'))).toBe(true);
    const living = livingByDescribe(async (n) => users[n], open);
    expect(
      (await sharesToHandOver([shared('s', ARN('ann'), ARN('bob'))], ARN('ann'), living)).length,
    ).toBe(1);
    const pending = leavingByTasks(store([taskOf('bob', {})]));
    expect(await pending(ARN('bob'))).toBe(true);
    const downgrade = leavingByTasks(
      store([
        taskOf('bob', { taskId: 'default#bob#role', action: 'change_role', targetRole: 'READER' }),
      ]),
    );
    expect(await downgrade(ARN('bob'))).toBe(true);
  });

  it('not leaving: no task, a finished or blocked one, a role change that keeps ownership, a group', async () => {
    const cases: Task[][] = [
      [],
      [taskOf('bob', { status: 'DONE' })],
      [taskOf('bob', { status: 'CANCELLED' })],
      [taskOf('bob', { status: 'AWAITING_APPROVAL' })],
      [taskOf('bob', { role: 'READER' })],
      [taskOf('bob', { taskId: 'default#bob#role', action: 'change_role', targetRole: 'ADMIN' })],
    ];
    for (const tasks of cases) expect(await leavingByTasks(store(tasks))(ARN('bob'))).toBe(false);
    expect(await leavingByTasks(store([]))(GROUP)).toBe(false);
  });

  it('looks for the task under the scope key of the ARN’s account and namespace', async () => {
    const other = 'arn:aws:quicksight:us-east-1:444455556666:user/default/bob';
    const tasks = store([
      taskOf('bob', { taskId: '444455556666/default#bob', status: 'PENDING' }),
      taskOf('carl', { taskId: 'sales#carl', status: 'PENDING' }),
    ]);
    const leaving = leavingByTasks(tasks, '111122223333');
    expect(await leaving(other)).toBe(true);
    // The home account's own `default#bob` is not that task.
    expect(await leaving(ARN('bob'))).toBe(false);
    expect(await leaving('arn:aws:quicksight:us-east-1:111122223333:user/sales/carl')).toBe(true);
  });
});
