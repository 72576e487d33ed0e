import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventsHandler } from '../../../services/events/handler.js';
import {
  cloudTrailEvent,
  type EventBridgeEnvelope,
  eventBridgeEnvelope,
} from '../../../services/sandbox/cloudtrail-events.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { removePeople } from '../../../services/sandbox/sync-simulator.js';
import { createWorkerHandler } from '../../../services/worker/handler.js';
import { MemoryTaskQueue } from '../../../shared/aws/sqs-task-messages.js';
import { DynamoAuditLog } from '../../../shared/dynamo/audit-store.js';
import { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import { captureLogs, contextWith, sqsEvent } from '../../helpers/lambda.js';
import { snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * Only genuine events act: a forged source, another account, another identity store
 * or a user IdentityStore still knows → nothing deleted, an audit row saying why. The events
 * Lambda and the worker Lambda run against the sandbox with real SDK clients.
 */
describe('genuine events only, on the sandbox', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let env: Record<string, string>;
  let queue: MemoryTaskQueue;
  let handle: ReturnType<typeof createEventsHandler>;
  let audit: DynamoAuditLog;

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
    env = { ...t.sandbox.env, IDSYNC_LOG_LEVEL: 'silent' };
    queue = new MemoryTaskQueue();
    handle = createEventsHandler(env, { queue, logDestination: captureLogs().stream });
    audit = new DynamoAuditLog(t.doc, t.names.audit);
  });
  afterAll(async () => t?.close());

  const afterSnapshot = () => new Date(Date.now() + 2_000);
  const eventRows = async (runId: string) => {
    const rows = [];
    for await (const page of audit.byRun(runId)) rows.push(...page);
    return rows.filter((r) => r.kind === 'event');
  };
  async function applyQueued(): Promise<number> {
    const messages = queue.drain();
    if (messages.length === 0) return 0;
    const worker = createWorkerHandler(
      { ...env, IDSYNC_APPLY: 'true' },
      { logDestination: captureLogs().stream },
    );
    await worker(sqsEvent(messages), contextWith(60_000));
    return messages.length;
  }
  /** A leaver's genuine DeleteUser envelope (SCIM, masked like AWS writes it). */
  function leaverEnvelope(): EventBridgeEnvelope {
    const { events } = removePeople(t.sandbox.org, { count: 1 }, { now: afterSnapshot() });
    const [envelope] = events;
    if (!envelope) throw new Error('no event');
    return envelope;
  }

  it('a forged source is ignored; the genuine SCIM DeleteUser with the same id still deletes', async () => {
    const org = t.sandbox.org;
    const genuine = leaverEnvelope();
    expect(genuine.source).toBe('aws.identitystore-scim');
    expect(genuine.detail.requestParameters).toMatchObject({
      tenantId: expect.any(String),
      id: expect.any(String),
    });
    const before = org.quickSight.size;
    const forged = await handle({ ...genuine, source: 'com.example.attacker' });
    expect(forged).toMatchObject({ outcomes: { foreign: 1 }, removals: 0, announced: 0 });
    const [row] = await eventRows(forged.runId);
    expect(row).toMatchObject({ outcome: 'foreign' });
    expect(row?.reason).toMatch(/ignored: foreign event \(envelope source "com.example.attacker"/);
    expect(await applyQueued()).toBe(0);
    expect(org.quickSight.size).toBe(before);

    // A task already in the backlog is not sent again: exactly the plan's new task goes out.
    const backlog = new DynamoTaskStore(t.doc, t.names.tasks);
    await backlog.enqueue({
      taskId: 'default#backlog-user',
      runId: 'older-plan',
      email: 'backlog@example.com',
      userName: 'backlog-user',
      arn: 'arn:aws:quicksight:us-east-1:111111111111:user/default/backlog-user',
      role: 'READER',
      identityType: 'QUICKSIGHT',
      source: 'csv',
      reason: 'older plan',
    });
    const real = await handle(genuine);
    expect(real).toMatchObject({ outcomes: { resolved: 1 }, removals: 1, announced: 1 });
    expect(queue.sent.map((m) => m.taskId)).not.toContain('default#backlog-user');
    await backlog.cancel('default#backlog-user', 'test backlog');
    expect(await applyQueued()).toBe(1);
    expect(org.quickSight.size).toBe(before - 1);
  });

  it('another account (envelope and record) is ignored with an audit row', async () => {
    const org = t.sandbox.org;
    const genuine = leaverEnvelope();
    const before = org.quickSight.size;
    const other = '210987654321';
    const result = await handle({
      ...genuine,
      account: other,
      detail: { ...genuine.detail, recipientAccountId: other },
    });
    expect(result).toMatchObject({ outcomes: { foreign: 1 }, removals: 0 });
    const [row] = await eventRows(result.runId);
    expect(row?.reason).toMatch(/ignored: foreign event \(envelope account "210987654321"/);
    // A raw record of another account (handle-event input) is foreign too.
    const raw = await handle({ ...genuine.detail, recipientAccountId: other });
    expect(raw).toMatchObject({ outcomes: { foreign: 1 }, removals: 0 });
    expect(await applyQueued()).toBe(0);
    expect(org.quickSight.size).toBe(before);
  });

  it('another identity store is ignored with an audit row', async () => {
    const org = t.sandbox.org;
    const genuine = leaverEnvelope();
    const userId = String((genuine.detail.requestParameters as { id: string }).id);
    const before = org.quickSight.size;
    const envelope = eventBridgeEnvelope(
      cloudTrailEvent({
        source: 'identitystore.amazonaws.com',
        eventName: 'DeleteUser',
        userId,
        identityStoreId: 'd-0000000000',
        tenantId: org.scimTenantId,
        accountId: org.accountId,
        region: org.region,
        time: afterSnapshot(),
      }),
    );
    const result = await handle(envelope);
    expect(result).toMatchObject({ outcomes: { foreign: 1 }, removals: 0 });
    const [row] = await eventRows(result.runId);
    expect(row?.reason).toMatch(/identity store d-0000000000 is not d-/);
    expect(await applyQueued()).toBe(0);
    expect(org.quickSight.size).toBe(before);
  });

  it('a DeleteUser of a user IdentityStore still has is deferred, never acted on', async () => {
    const org = t.sandbox.org;
    // A current member with a QuickSight user: without the DescribeUser check, an event newer
    // than the snapshot would delete them.
    const member = org.identityStore
      .list()
      .find((u) => org.quickSight.list().some((q) => q.email === u.emails[0]?.value));
    if (!member) throw new Error('no member with a QuickSight user');
    const before = org.quickSight.size;
    const envelope = eventBridgeEnvelope(
      cloudTrailEvent({
        source: 'identitystore.amazonaws.com',
        eventName: 'DeleteUser',
        userId: member.userId,
        identityStoreId: org.identityStoreId,
        tenantId: org.scimTenantId,
        accountId: org.accountId,
        region: org.region,
        time: afterSnapshot(),
      }),
    );
    const result = await handle(envelope);
    expect(result).toMatchObject({ outcomes: { deferred: 1 }, removals: 0, announced: 0 });
    const [row] = await eventRows(result.runId);
    expect(row).toMatchObject({ outcome: 'deferred', userId: member.userId });
    expect(row?.reason).toMatch(/IdC user still exists: event not confirmed/);
    expect(await applyQueued()).toBe(0);
    expect(org.quickSight.size).toBe(before);
    // Not recorded: once the user is really gone, the same event (redelivered) acts.
    org.identityStore.deleteUser(member.userId);
    const again = await handle(envelope);
    expect(again).toMatchObject({ outcomes: { resolved: 1 }, removals: 1, announced: 1 });
  });
});
