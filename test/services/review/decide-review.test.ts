import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideReview } from '../../../services/review/decide-review.js';
import { MemoryTaskQueue } from '../../../shared/aws/sqs-task-messages.js';
import { DynamoAuditLog } from '../../../shared/dynamo/audit-store.js';
import { DynamoReviewStore } from '../../../shared/dynamo/review-store.js';
import { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import { reviewDeadline } from '../../../shared/review.js';
import type { NewTask, Task } from '../../../shared/task.js';
import { silentLogger } from '../../helpers/sandbox.js';
import { startTestTables } from '../../helpers/tables.js';

/**
 * Approve and reject on the tables: exactly the review's tasks move, each conditionally; a call
 * killed part-way and run again finishes the job once (nothing released or cancelled twice, no
 * task of another review touched).
 */

const task = (i: number, runId: string): NewTask => ({
  taskId: `default#reader${i}`,
  runId,
  email: `reader${i}@example.com`,
  userName: `reader${i}`,
  arn: `arn:aws:quicksight:us-east-1:123456789012:user/default/reader${i}`,
  role: 'READER',
  identityType: 'IAM',
  source: 'inactive',
  reason: 'no activity in 60 days',
  idleDays: 60,
});

describe('deciding a review on the tables', () => {
  let t: Awaited<ReturnType<typeof startTestTables>>;
  let tasks: DynamoTaskStore;
  let reviews: DynamoReviewStore;
  let audit: DynamoAuditLog;
  const now = new Date();

  beforeAll(async () => {
    t = await startTestTables();
    tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    reviews = new DynamoReviewStore(t.doc, t.names.reviews);
    audit = new DynamoAuditLog(t.doc, t.names.audit);
  });
  afterAll(async () => t?.close());

  /** A review AWAITING with `n` tasks of its own (task numbers from `first`). */
  async function seed(runId: string, first: number, n: number) {
    await reviews.create({
      runId,
      status: 'AWAITING',
      createdAt: now.toISOString(),
      deadline: reviewDeadline(now, 7).toISOString(),
      days: 60,
    });
    for (let i = first; i < first + n; i++)
      expect(await tasks.enqueueForReview(task(i, runId), runId)).toBe('created');
  }
  const statusOf = async (i: number) => (await tasks.get(`default#reader${i}`))?.status;

  /** The task store, killed after `after` successful moves (the process died there). */
  const dying = (after: number) => {
    let left = after;
    const die = () => {
      if (left-- <= 0) throw new Error('SIGKILL');
    };
    return Object.assign(Object.create(tasks) as DynamoTaskStore, {
      approve: async (id: string, run: string) => {
        die();
        return tasks.approve(id, run);
      },
      cancelAwaiting: async (id: string, run: string, reason: string) => {
        die();
        return tasks.cancelAwaiting(id, run, reason);
      },
    });
  };
  const deps = (store: DynamoTaskStore, queue?: MemoryTaskQueue) => ({
    reviews,
    stores: { tasks: store, audit } as never,
    operators: { publish: async () => undefined },
    logger: silentLogger(),
    ...(queue ? { queue } : {}),
  });

  it('awaiting tasks are live but never claimable, and a plain enqueue leaves them', async () => {
    await seed('rev-claim', 100, 1);
    const claimable: Task[] = [];
    for await (const page of tasks.claimable(Date.now())) claimable.push(...page);
    expect(claimable.map((x) => x.taskId)).not.toContain('default#reader100');
    expect(await tasks.claim('default#reader100', 'w', 1000, Date.now())).toBeUndefined();
    expect(await tasks.enqueue(task(100, 'plan-run'))).toBe('exists');
    expect(await tasks.approve('default#reader100', 'another-review')).toBe(false);
    expect(await statusOf(100)).toBe('AWAITING_APPROVAL');
  });

  it('approval killed part-way, run again, releases exactly its tasks once and announces them all', async () => {
    await seed('rev-a', 0, 4);
    await seed('rev-other', 10, 1);
    const queue = new MemoryTaskQueue();
    await expect(decideReview(deps(dying(2), queue), 'rev-a', 'approve', 'test')).rejects.toThrow(
      'SIGKILL',
    );
    expect((await reviews.get('rev-a'))?.status).toBe('APPROVED');
    expect(queue.sent).toEqual([]);
    const again = await decideReview(deps(tasks, queue), 'rev-a', 'approve', 'test');
    // The kill left some released: the rerun moved the others (a conditional move each).
    expect(again.taskIds.length).toBeLessThan(4);
    expect(await Promise.all([0, 1, 2, 3].map(statusOf))).toEqual(Array(4).fill('PENDING'));
    expect(queue.sent.map((m) => m.taskId).sort()).toEqual(
      [0, 1, 2, 3].map((i) => `default#reader${i}`),
    );
    expect(await statusOf(10)).toBe('AWAITING_APPROVAL');
    await expect(decideReview(deps(tasks), 'rev-a', 'reject', 'test')).rejects.toThrow(
      /is APPROVED, not AWAITING/,
    );
  });

  it('rejection killed part-way, run again, cancels every task with an audit row and releases none', async () => {
    await seed('rev-b', 20, 3);
    await expect(decideReview(deps(dying(1)), 'rev-b', 'reject', 'test')).rejects.toThrow(
      'SIGKILL',
    );
    const done = await decideReview(deps(tasks), 'rev-b', 'reject', 'test');
    expect(done.review.status).toBe('REJECTED');
    expect(await Promise.all([20, 21, 22].map(statusOf))).toEqual(Array(3).fill('CANCELLED'));
    const rows = [];
    for await (const page of audit.byRun('rev-b')) rows.push(...page);
    const cancelled = new Set(
      rows.filter((r) => r.kind === 'outcome' && r.outcome === 'cancelled').map((r) => r.userName),
    );
    expect([...cancelled].sort()).toEqual(['reader20', 'reader21', 'reader22']);
    expect(rows.filter((r) => r.kind === 'review').map((r) => r.decision)).toEqual(['rejected']);
    await expect(decideReview(deps(tasks), 'rev-b', 'approve', 'test')).rejects.toThrow(
      /is REJECTED/,
    );
  });
});
