import { Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultEntry, idsyncBundling } from '../../../infra/constructs/idsync-function.js';
import { WorkQueue } from '../../../infra/constructs/work-queue.js';
import { createPlanHandler } from '../../../services/plan/handler.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { applyMembershipChange, removePeople } from '../../../services/sandbox/sync-simulator.js';
import { createWorkerHandler } from '../../../services/worker/handler.js';
import { activityUserName } from '../../../shared/activity-record.js';
import { MemoryTaskQueue, taskMessageBody } from '../../../shared/aws/sqs-task-messages.js';
import { loadConfig } from '../../../shared/config/index.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import { DynamoAuditLog } from '../../../shared/dynamo/audit-store.js';
import { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import { type Task, taskIdFor } from '../../../shared/task.js';
import { coverActivity } from '../../helpers/activity-coverage.js';
import {
  captureLogs,
  contextWith,
  destinationRecord,
  newestSnapshotSummary,
  sqsEvent,
} from '../../helpers/lambda.js';
import { snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

const FAST = { baseMs: 1, capMs: 5 };
const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

async function collectRows<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

describe('worker Lambda handler on the sandbox', { timeout: 60_000 }, () => {
  let t: TestSandbox;
  let queue: MemoryTaskQueue;
  let plan: ReturnType<typeof createPlanHandler>;
  let tasks: DynamoTaskStore;
  let audit: DynamoAuditLog;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
    queue = new MemoryTaskQueue();
    env = { ...t.sandbox.env, IDSYNC_LOG_LEVEL: 'info' };
    plan = createPlanHandler(
      { ...env, IDSYNC_MAX_DELETION_PERCENT: '100', IDSYNC_LOG_LEVEL: 'silent' },
      { queue },
    );
    tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    audit = new DynamoAuditLog(t.doc, t.names.audit);
  });
  afterAll(async () => t?.close());

  /** `count` people leave their groups; snapshot; the plan announces every claimable task. */
  async function leaveAndPlan(count: number) {
    const { leavers } = removePeople(t.sandbox.org, { count });
    await snapshotOk(t.sandbox);
    const summary = await plan(destinationRecord(await newestSnapshotSummary(t.stores.snapshots)));
    expect(summary.guardTripped).toBe(false);
    return { leavers, messages: queue.drain() };
  }
  const taskOf = async (body: string) =>
    (await tasks.get(JSON.parse(body).taskId as string)) as Task;
  const deletesOf = (userName: string) => t.sandbox.org.quickSight.deletes.get(userName) ?? 0;
  const worker = (extra: Record<string, string> = {}) => {
    const logs = captureLogs();
    const handler = createWorkerHandler(
      { ...env, ...extra },
      { logDestination: logs.stream, backoff: FAST },
    );
    return { logs, handler };
  };

  it('dry run: logs what it would delete, deletes nothing, acknowledges every message', async () => {
    const { messages } = await leaveAndPlan(3);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    const before = t.sandbox.org.quickSight.size;
    const { logs, handler } = worker();
    const answer = await handler(sqsEvent(messages), contextWith(60_000));
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(t.sandbox.org.quickSight.size).toBe(before);
    expect(t.sandbox.org.quickSight.deletes.size).toBe(0);
    const wouldDelete = logs.lines.filter((l) => l.msg === 'dry run: would delete');
    const pending = await Promise.all(messages.map((m) => taskOf(m.body)));
    expect(pending.map((p) => p.status)).toEqual(messages.map(() => 'PENDING'));
    expect(wouldDelete.map((l) => l.userName).sort()).toEqual(
      pending.map((p) => p.userName).sort(),
    );
    expect(logs.metrics()).toEqual([
      expect.objectContaining({ msg: 'worker metrics', FailedItems: 0, apply: false }),
    ]);
  });

  it('apply: deletes each announced user once; a poison message is audited and acknowledged', async () => {
    // The dry run's tasks are still PENDING: the next plan announces them again.
    const { messages } = await leaveAndPlan(2);
    expect(messages.length).toBeGreaterThanOrEqual(5);
    const poison = [
      { messageId: 'poison-1', body: 'not json at all' },
      { messageId: 'poison-2', body: JSON.stringify({ v: 2, taskId: 'x' }) },
    ];
    const event = sqsEvent([...messages.slice(0, 2), ...poison, ...messages.slice(2)]);
    const { logs, handler } = worker({ IDSYNC_APPLY: 'true' });
    expect(await handler(event, contextWith(60_000))).toEqual({ batchItemFailures: [] });

    const done = await Promise.all(messages.map((m) => taskOf(m.body)));
    expect(done.map((d) => [d.status, d.outcome])).toEqual(done.map(() => ['DONE', 'deleted']));
    for (const d of done) expect(deletesOf(d.userName)).toBe(1);
    const runId = logs.metrics()[0]?.runId as string;
    const rows = [];
    for await (const page of audit.byRun(runId)) rows.push(...page);
    expect(rows.filter((r) => r.kind === 'input_error').map((r) => r.detail?.messageId)).toEqual([
      'poison-1',
      'poison-2',
    ]);
    expect(rows.filter((r) => r.kind === 'outcome')).toHaveLength(messages.length);

    // The same batch again (SQS delivers at least once): nothing is deleted twice.
    const calls = t.sandbox.quickSight.faults.counters.calls;
    expect(await handler(event, contextWith(60_000))).toEqual({ batchItemFailures: [] });
    expect(t.sandbox.quickSight.faults.counters.calls).toBe(calls);
    for (const d of done) expect(deletesOf(d.userName)).toBe(1);
  });

  it('partial batch failure: only the messages of retryably failed tasks come back', async () => {
    const { messages } = await leaveAndPlan(2);
    const { logs, handler } = worker({ IDSYNC_APPLY: 'true' });
    const event = sqsEvent([...messages, { messageId: 'poison-3', body: '{}' }]);
    t.sandbox.quickSight.faults.configure({ errorRate: 1 });
    let answer: Awaited<ReturnType<typeof handler>>;
    try {
      answer = await handler(event, contextWith(60_000));
    } finally {
      t.sandbox.quickSight.faults.configure({});
    }
    expect(answer.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      messages.map((m) => m.messageId).sort(),
    );
    const failed = await Promise.all(messages.map((m) => taskOf(m.body)));
    expect(failed.map((f) => f.status)).toEqual(messages.map(() => 'FAILED'));
    expect(logs.metrics()[0]).toMatchObject({ FailedItems: messages.length });

    const redelivered = sqsEvent(messages);
    expect(await handler(redelivered, contextWith(60_000))).toEqual({ batchItemFailures: [] });
    for (const m of messages) expect((await taskOf(m.body)).status).toBe('DONE');
  });

  it('a failure for good (access denied) stays FAILED and is acknowledged, not looped', async () => {
    const { messages } = await leaveAndPlan(1);
    const { logs, handler } = worker({
      IDSYNC_APPLY: 'true',
      IDSYNC_QUICKSIGHT_ACCOUNT_ID: '999999999999',
    });
    expect(await handler(sqsEvent(messages), contextWith(60_000))).toEqual({
      batchItemFailures: [],
    });
    const failed = await taskOf(messages[0]?.body as string);
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(failed.lastError).toMatch(/AccessDeniedException/);
    expect(logs.metrics()[0]).toMatchObject({ FailedItems: messages.length });
  });

  it('a person back in a group before the worker runs is not deleted', async () => {
    const { leavers, messages } = await leaveAndPlan(1);
    const org = t.sandbox.org;
    const email = leavers.emails[0] as string;
    applyMembershipChange(org, { add: [{ group: org.groupEmails.readers, email }] });
    await snapshotOk(t.sandbox);
    const { handler } = worker({ IDSYNC_APPLY: 'true' });
    const mine = messages.filter((m) => JSON.parse(m.body).taskId.includes(email));
    expect(mine.length).toBeGreaterThan(0);
    expect(await handler(sqsEvent(mine), contextWith(60_000))).toEqual({ batchItemFailures: [] });
    for (const m of mine) {
      const task = await taskOf(m.body);
      expect(task).toMatchObject({ status: 'CANCELLED', outcome: 'cancelled' });
      expect(deletesOf(task.userName)).toBe(0);
    }
  });

  it('tasks given back at the time limit come back; a message naming no task is acknowledged', async () => {
    const { messages } = await leaveAndPlan(2);
    const ghost = {
      messageId: 'ghost',
      body: taskMessageBody({ taskId: 'default#nobody', runId: 'r' }),
    };
    const { handler } = worker({ IDSYNC_APPLY: 'true', IDSYNC_CONCURRENCY: '1' });
    // Every call is throttled: each task waits for a retry when the stop comes (1 s left).
    t.sandbox.quickSight.faults.configure({ throttleRate: 1 });
    const slow = createWorkerHandler(
      { ...env, IDSYNC_APPLY: 'true', IDSYNC_CONCURRENCY: '1' },
      { logDestination: captureLogs().stream, backoff: { baseMs: 2_000, capMs: 2_000 } },
    );
    let answer: Awaited<ReturnType<typeof slow>>;
    try {
      answer = await slow(sqsEvent([...messages, ghost]), contextWith(21_000));
    } finally {
      t.sandbox.quickSight.faults.configure({});
    }
    expect(answer.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      messages.map((m) => m.messageId).sort(),
    );
    for (const m of messages) expect((await taskOf(m.body)).status).toBe('PENDING');
    expect(await handler(sqsEvent(messages), contextWith(60_000))).toEqual({
      batchItemFailures: [],
    });
  });

  it('a task held by an invocation that died is delivered again, and deleted once its short lease ran out', async () => {
    const { leavers, messages } = await leaveAndPlan(1);
    const email = leavers.emails[0]?.toLowerCase();
    const mine = [];
    for (const m of messages) if ((await taskOf(m.body)).email === email) mine.push(m);
    expect(mine).toHaveLength(1);
    const task = await taskOf(mine[0]?.body as string);
    const now = Date.now();
    expect(await tasks.claim(task.taskId, 'dead-invocation', 1_200, now, 'dead-run')).toBeDefined();
    const { handler } = worker({ IDSYNC_APPLY: 'true' });
    const held = await handler(sqsEvent(mine), contextWith(60_000));
    expect(held.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([mine[0]?.messageId]);
    expect(deletesOf(task.userName)).toBe(0);

    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(await handler(sqsEvent(mine), contextWith(60_000))).toEqual({ batchItemFailures: [] });
    expect(deletesOf(task.userName)).toBe(1);
    expect((await taskOf(mine[0]?.body as string)).status).toBe('DONE');
  });

  it('idle tasks the plan announces again are judged again: active since → cancelled, stale record → deferred and acknowledged, never synced', async () => {
    const org = t.sandbox.org;
    const activity = new DynamoActivityStore(t.doc, t.names.activity);
    await coverActivity(activity, [org.region], { from: ago(90 * DAY), to: ago(15 * 60_000) });
    const candidates: QuickSightUser[] = [];
    for (const p of org.people.filter((x) => x.kind === 'reader' && !x.protected)) {
      const u = p.quickSightUsers[0];
      if (!u || !org.quickSight.get(u.userName)) continue;
      if (await tasks.get(taskIdFor(org.namespace, u))) continue;
      candidates.push(u);
    }
    const [back, idle, later] = candidates as [QuickSightUser, QuickSightUser, QuickSightUser];
    expect(candidates.length).toBeGreaterThanOrEqual(3);
    const enqueue = async (u: QuickSightUser) => {
      await activity.recordActivity(org.namespace, activityUserName(u), {
        at: ago(70 * DAY),
        eventName: 'GetDashboard',
        source: 'cloudtrail',
      });
      const taskId = taskIdFor(org.namespace, u);
      const created = await tasks.enqueue({
        taskId,
        runId: 'plan-idle',
        email: (u.email ?? '').toLowerCase(),
        userName: u.userName,
        ...(u.principalId ? { principalId: u.principalId } : {}),
        arn: u.arn,
        role: u.role,
        identityType: u.identityType,
        source: 'inactive',
        reason: `${u.role} user ${u.userName} is idle`,
        idleDays: 60,
      });
      expect(created).toBe('created');
      return {
        messageId: `idle-${u.userName}`,
        body: taskMessageBody({ taskId, runId: 'plan-idle' }),
      };
    };
    const messages = [await enqueue(back), await enqueue(idle)];
    // Since the plan, `back` used QuickSight again (the record has it).
    await activity.recordActivity(org.namespace, activityUserName(back), {
      at: ago(10 * 60_000),
      eventName: 'GetDashboard',
      source: 'cloudtrail',
    });
    const { handler } = worker({ IDSYNC_APPLY: 'true' });
    expect(await handler(sqsEvent(messages), contextWith(60_000))).toEqual({
      batchItemFailures: [],
    });
    expect(deletesOf(back.userName)).toBe(0);
    expect(deletesOf(idle.userName)).toBe(1);
    expect(await taskOf(messages[0]?.body as string)).toMatchObject({
      status: 'CANCELLED',
      outcome: 'cancelled',
    });
    const cancelled = (await collectRows(audit.byEmail((back.email ?? '').toLowerCase()))).filter(
      (r) => r.kind === 'outcome' && r.outcome === 'cancelled',
    );
    expect(cancelled.map((r) => r.reason)).toEqual([
      `active again: last active ${ago(10 * 60_000).slice(0, 10)}, GetDashboard, from CloudTrail`,
    ]);

    // The record goes stale (the scheduled sync stopped): the next announcement is deferred.
    await coverActivity(activity, [org.region], { from: ago(90 * DAY), to: ago(3 * 3_600_000) });
    const next = [await enqueue(later)];
    const lookups = t.sandbox.cloudTrail.faults.counters.calls;
    const stale = worker({ IDSYNC_APPLY: 'true' });
    expect(await stale.handler(sqsEvent(next), contextWith(60_000))).toEqual({
      batchItemFailures: [],
    });
    expect(deletesOf(later.userName)).toBe(0);
    expect(await taskOf(next[0]?.body as string)).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(t.sandbox.cloudTrail.faults.counters.calls).toBe(lookups);
    expect(stale.logs.metrics()[0]).toMatchObject({ deferred: 1, FailedItems: 0 });
    expect(stale.logs.lines.some((l) => l.msg === 'task deferred')).toBe(true);
  });
});

describe('worker lease', () => {
  it("is at most the stack's worker timeout, by default and at the variable's largest value", () => {
    const queue = new WorkQueue(new Stack(), 'WorkQueue');
    const { maxSeconds, visibilitySeconds } = queue.leaseBounds;
    expect(visibilitySeconds).toBeGreaterThan(maxSeconds);
    expect(loadConfig(['worker'], {}).worker.leaseMs / 1000).toBeLessThanOrEqual(maxSeconds);
    const largest = loadConfig(['worker'], { IDSYNC_LEASE_SECONDS: '300' }).worker.leaseMs;
    expect(largest / 1000).toBeLessThanOrEqual(maxSeconds);
    expect(() => loadConfig(['worker'], { IDSYNC_LEASE_SECONDS: '301' })).toThrow(
      /IDSYNC_LEASE_SECONDS/,
    );
  });
});

describe('worker bundle', () => {
  it("stays under 1 MiB minified with the stack's esbuild settings, with the QuickSight SDK client", async () => {
    const options = idsyncBundling();
    const result = await build({
      entryPoints: [defaultEntry('worker')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      mainFields: options.mainFields as string[],
      minify: options.minify as boolean,
      target: options.target as string,
      banner: { js: options.banner as string },
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const [output] = result.outputFiles;
    expect(output?.contents.byteLength).toBeLessThanOrEqual(1024 * 1024);
    // What is in the bundle (esbuild reads more: clients.ts imports every client, tree-shaken).
    const [meta] = Object.values(result.metafile.outputs);
    const inputs = Object.entries(meta?.inputs ?? {})
      .filter(([, v]) => v.bytesInOutput > 0)
      .map(([path]) => path);
    expect(inputs.some((i) => i.includes('@aws-sdk/client-dynamodb'))).toBe(true);
    expect(inputs.some((i) => i.includes('@aws-sdk/client-quicksight'))).toBe(true);
    expect(inputs.some((i) => i.includes('@aws-sdk/client-identitystore'))).toBe(false);
    expect(inputs.some((i) => i.includes('@aws-sdk/client-sqs'))).toBe(false);
    expect(inputs.some((i) => i.includes('google-auth-library'))).toBe(false);
  });
});
