import { readFileSync } from 'node:fs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlanHandler, parsePlanTrigger } from '../../../services/plan/handler.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { removePeople } from '../../../services/sandbox/sync-simulator.js';
import { MemoryTaskQueue, parseTaskMessage } from '../../../shared/aws/sqs-task-messages.js';
import { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import { ConfigError, UsageError } from '../../../shared/errors.js';
import { GUARD_TRIPPED_PREFIX } from '../../../shared/held-work.js';
import type { Task } from '../../../shared/task.js';
import { captureLogs, destinationRecord, newestSnapshotSummary } from '../../helpers/lambda.js';
import { snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

const SCHEDULED = JSON.parse(
  readFileSync(new URL('../../fixtures/infra/scheduled-event.json', import.meta.url), 'utf8'),
);

const taskIdsOf = (queue: MemoryTaskQueue) =>
  queue.drain().map((m) => {
    const parsed = parseTaskMessage(m.body);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.message.taskId;
  });

describe('plan Lambda handler on the sandbox', { timeout: 60_000 }, () => {
  let t: TestSandbox;
  let env: Record<string, string>;
  let tasks: DynamoTaskStore;

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
    env = {
      ...t.sandbox.env,
      IDSYNC_LOG_LEVEL: 'info',
      IDSYNC_MAX_DELETION_PERCENT: '100',
      IDSYNC_WORKER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/Idsync-WorkQueue',
    };
    tasks = new DynamoTaskStore(t.doc, t.names.tasks);
  });
  afterAll(async () => t?.close());

  it('plans after a COMPLETE snapshot and announces one message per queued task', async () => {
    const { leavers } = removePeople(t.sandbox.org, { count: 3 });
    await snapshotOk(t.sandbox);
    const summary = await newestSnapshotSummary(t.stores.snapshots);
    const queue = new MemoryTaskQueue();
    const logs = captureLogs();
    const plan = createPlanHandler(env, { queue, logDestination: logs.stream });

    const result = await plan(destinationRecord(summary));
    expect(result).toMatchObject({
      trigger: 'snapshot',
      snapshot: summary.runId,
      guardTripped: false,
      tasks: { created: result.counts?.delete, existing: 0 },
    });
    expect(result.counts?.delete).toBeGreaterThanOrEqual(3);
    const ids = taskIdsOf(queue);
    expect(ids).toHaveLength(result.announced);
    expect(result.announced).toBe(result.counts?.delete);
    const queued = await Promise.all(ids.map((id) => tasks.get(id)));
    expect(new Set(queued.map((q) => q?.email))).toEqual(new Set(leavers.emails));
    expect(queued.every((q) => q?.status === 'PENDING')).toBe(true);
    expect(logs.metrics()).toEqual([
      expect.objectContaining({
        msg: 'plan metrics',
        GuardTripped: 0,
        HeldTasks: 0,
        Deployment: 'idsync',
        _aws: expect.objectContaining({
          CloudWatchMetrics: [
            expect.objectContaining({
              Metrics: [
                { Name: 'GuardTripped', Unit: 'Count' },
                { Name: 'HeldTasks', Unit: 'Count' },
              ],
            }),
          ],
        }),
      }),
    ]);

    // Level-triggered: the next cycle (here a scheduled event) announces the same live tasks.
    const again = await plan(SCHEDULED);
    expect(again).toMatchObject({
      trigger: 'schedule',
      tasks: { created: 0, existing: ids.length },
    });
    expect(taskIdsOf(queue).sort()).toEqual([...ids].sort());
  });

  it('skips a PARTIAL snapshot: no plan, nothing announced', async () => {
    const queue = new MemoryTaskQueue();
    const logs = captureLogs();
    const plan = createPlanHandler(env, { queue, logDestination: logs.stream });
    const partial = {
      runId: '20261127T120000Z-beef',
      status: 'PARTIAL',
      reason: 'google: page 2 failed',
      counts: {},
    };
    const result = await plan(destinationRecord(partial));
    expect(result).toMatchObject({ trigger: 'snapshot', guardTripped: false, announced: 0 });
    expect(result.skipped).toMatch(/PARTIAL \(google: page 2 failed\)/);
    expect(queue.sent).toHaveLength(0);
    expect(logs.lines.some((l) => String(l.msg).startsWith('plan skipped'))).toBe(true);
    expect(logs.metrics()[0]).toMatchObject({ GuardTripped: 0 });
  });

  it('a tripped guard announces nothing, emits GuardTripped 1 and leaves its deletions held; HeldTasks counts them after an hour', async () => {
    removePeople(t.sandbox.org, { count: 2 });
    await snapshotOk(t.sandbox);
    const queue = new MemoryTaskQueue();
    const logs = captureLogs();
    const plan = createPlanHandler(
      { ...env, IDSYNC_MAX_DELETIONS: '1' },
      { queue, logDestination: logs.stream },
    );
    const result = await plan({});
    expect(result).toMatchObject({ trigger: 'manual', guardTripped: true, announced: 0 });
    expect(result.counts?.blocked).toBeGreaterThan(1);
    // The deletions not queued already (earlier tests left some PENDING) are held, never dropped.
    const blocked = result.tasks?.blocked ?? 0;
    expect(blocked).toBe(2);
    expect(blocked + (result.tasks?.existing ?? 0)).toBe(result.counts?.blocked);
    expect(queue.sent).toHaveLength(0);
    expect(logs.metrics()[0]).toMatchObject({ GuardTripped: 1, HeldTasks: 0, held: blocked });
    // The operators hear about it: one summary on the operator topic (the SNS stand-in).
    const published = t.sandbox.sns.published.filter((m) => m.message.includes(result.runId));
    expect(published).toHaveLength(1);
    expect(published[0]?.topicArn).toBe(t.sandbox.operators.topicArn);
    expect(published[0]?.subject).toBe(
      `idsync idsync: the safety guard stopped plan ${result.runId}`,
    );
    expect(published[0]?.message).toContain(`HELD: ${blocked} removals are held`);
    // The held tasks: BLOCKED with the guard's reason, one per blocked deletion.
    const held: Task[] = [];
    for await (const page of tasks.byStatus('BLOCKED')) held.push(...page);
    expect(held).toHaveLength(blocked);
    expect(held.every((h) => h.blockReason?.startsWith(GUARD_TRIPPED_PREFIX))).toBe(true);

    // Held for more than an hour: the next cycle's HeldTasks counts them.
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000).toISOString();
    for (const h of held)
      await t.doc.send(
        new UpdateCommand({
          TableName: t.names.tasks,
          Key: { taskId: h.taskId },
          UpdateExpression: 'SET updatedAt = :at',
          ExpressionAttributeValues: { ':at': twoHoursAgo },
        }),
      );
    const later = captureLogs();
    await createPlanHandler(
      { ...env, IDSYNC_MAX_DELETIONS: '1' },
      { queue, logDestination: later.stream },
    )({});
    expect(later.metrics()[0]).toMatchObject({ GuardTripped: 1, HeldTasks: blocked });
    // Held already, nothing newly held: no second summary (the alarm keeps reminding).
    expect(t.sandbox.sns.published).toHaveLength(1);
    for (const h of held) await tasks.cancel(h.taskId, 'test over');
  });

  it('refuses an event it does not know before touching anything', async () => {
    const queue = new MemoryTaskQueue();
    const plan = createPlanHandler({}, { queue });
    await expect(plan({ 'detail-type': 'Object Created', source: 'aws.s3' })).rejects.toThrow(
      UsageError,
    );
    await expect(plan(destinationRecord({ ok: true }))).rejects.toThrow(/no snapshot summary/);
    await expect(plan('run')).rejects.toThrow(UsageError);
  });

  it('needs the worker queue URL', async () => {
    const { IDSYNC_WORKER_QUEUE_URL: _, ...withoutQueue } = env;
    const error = await createPlanHandler(withoutQueue)({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('IDSYNC_WORKER_QUEUE_URL');
  });
});

describe('parsePlanTrigger', () => {
  it('reads destination records, scheduled events and manual runs', () => {
    expect(
      parsePlanTrigger(
        destinationRecord({ runId: 'r1', status: 'COMPLETE', counts: {} }, SCHEDULED),
      ),
    ).toEqual({ kind: 'snapshot', snapshotRunId: 'r1', status: 'COMPLETE' });
    expect(parsePlanTrigger(SCHEDULED)).toEqual({
      kind: 'schedule',
      eventId: SCHEDULED.id,
      time: SCHEDULED.time,
    });
    expect(parsePlanTrigger({})).toEqual({ kind: 'manual' });
    expect(parsePlanTrigger(undefined)).toEqual({ kind: 'manual' });
    const failed = destinationRecord({ runId: 'r1', status: 'COMPLETE' });
    expect(() =>
      parsePlanTrigger({
        ...failed,
        requestContext: { ...failed.requestContext, condition: 'RetriesExhausted' },
      }),
    ).toThrow(/RetriesExhausted/);
    expect(() => parsePlanTrigger(destinationRecord({ runId: 'r1', status: 'DONE' }))).toThrow(
      UsageError,
    );
  });
});
