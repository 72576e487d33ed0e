import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../../services/cli/ensure-tables.js';
import { createEventsHandler } from '../../../services/events/handler.js';
import {
  cloudTrailEvent,
  eventBridgeEnvelope,
} from '../../../services/sandbox/cloudtrail-events.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { applyMembershipChange, removePeople } from '../../../services/sandbox/sync-simulator.js';
import { createWorkerHandler } from '../../../services/worker/handler.js';
import { MemoryTaskQueue, parseTaskMessage } from '../../../shared/aws/sqs-task-messages.js';
import { DynamoAuditLog } from '../../../shared/dynamo/audit-store.js';
import { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import { RemoteServiceError } from '../../../shared/errors.js';
import { captureLogs, contextWith, sqsEvent } from '../../helpers/lambda.js';
import { snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

const UNKNOWN_USER = '99999999-aaaa-bbbb-cccc-000000000000';

describe('event handler Lambda on the sandbox', { timeout: 60_000 }, () => {
  let t: TestSandbox;
  let env: Record<string, string>;
  let queue: MemoryTaskQueue;
  let logs: ReturnType<typeof captureLogs>;
  let handle: ReturnType<typeof createEventsHandler>;
  let audit: DynamoAuditLog;

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
    env = { ...t.sandbox.env, IDSYNC_LOG_LEVEL: 'info' };
    queue = new MemoryTaskQueue();
    logs = captureLogs();
    handle = createEventsHandler(env, { queue, logDestination: logs.stream });
    audit = new DynamoAuditLog(t.doc, t.names.audit);
  });
  afterAll(async () => t?.close());

  const afterSnapshot = () => new Date(Date.now() + 2_000);
  const lastMetrics = () => logs.metrics().at(-1);
  const auditOf = async (runId: string) => {
    const rows = [];
    for await (const page of audit.byRun(runId)) rows.push(...page);
    return rows;
  };

  /** The worker, applying: deletes the tasks of `messages` and acknowledges them all. */
  async function applyAll(messages: ReturnType<MemoryTaskQueue['drain']>) {
    const worker = createWorkerHandler(
      { ...env, IDSYNC_APPLY: 'true' },
      { logDestination: captureLogs().stream },
    );
    expect(await worker(sqsEvent(messages), contextWith(60_000))).toEqual({
      batchItemFailures: [],
    });
  }

  it('a SCIM DeleteUser envelope queues the person at once; the worker then deletes them', async () => {
    const org = t.sandbox.org;
    const { events, leavers } = removePeople(org, { count: 1 }, { now: afterSnapshot() });
    const [envelope] = events;
    expect(envelope?.detail.eventName).toBe('DeleteUser');
    // The newest snapshot already saw the person leave (the event was delivered after it).
    await snapshotOk(t.sandbox);
    const result = await handle(envelope);
    expect(result).toMatchObject({ outcomes: { resolved: 1 }, removals: 1, guardTripped: false });
    expect(result.announced).toBeGreaterThan(0);
    expect(lastMetrics()).toMatchObject({
      msg: 'events metrics',
      UnresolvedEvents: 0,
      GuardTripped: 0,
    });

    const messages = queue.drain();
    expect(messages).toHaveLength(result.announced);
    const tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    for (const m of messages) {
      const parsed = parseTaskMessage(m.body);
      if (!parsed.ok) throw new Error(parsed.reason);
      expect((await tasks.get(parsed.message.taskId))?.email).toBe(leavers.emails[0]);
    }
    const before = org.quickSight.size;
    await applyAll(messages);
    expect(org.quickSight.size).toBe(before - messages.length);

    // EventBridge delivers at least once: the same event again is a duplicate, nothing queued.
    const again = await handle(envelope);
    expect(again).toMatchObject({ outcomes: { duplicate: 1 }, removals: 0, announced: 0 });
  });

  // A snapshot older than the task does not count as re-joining (runPlan's cancelRejoined
  // compares the snapshot's startedAt with the task's createdAt).
  it('a DeleteUser handled before the next snapshot is queued at once', async () => {
    const { events } = removePeople(t.sandbox.org, { count: 1 }, { now: afterSnapshot() });
    const result = await handle(events[0]);
    expect(result).toMatchObject({ outcomes: { resolved: 1 }, removals: 1 });
    expect(result.announced).toBeGreaterThan(0);
    expect(queue.drain().length).toBe(result.announced);
  });

  it('an unknown user id is unresolved: audit row, UnresolvedEvents 1, no throw, nothing queued', async () => {
    const org = t.sandbox.org;
    const envelope = eventBridgeEnvelope(
      cloudTrailEvent({
        source: 'identitystore.amazonaws.com',
        eventName: 'DeleteUser',
        userId: UNKNOWN_USER,
        identityStoreId: org.identityStoreId,
        tenantId: org.scimTenantId,
        accountId: org.accountId,
        region: org.region,
        time: new Date('2026-11-27T12:00:00Z'),
      }),
    );
    const result = await handle(envelope);
    expect(result).toMatchObject({ outcomes: { unresolved: 1 }, removals: 0, announced: 0 });
    expect(lastMetrics()).toMatchObject({ UnresolvedEvents: 1 });
    expect(lastMetrics()?.GuardTripped).toBeUndefined();
    expect(queue.sent).toHaveLength(0);
    const rows = await auditOf(result.runId);
    expect(rows).toEqual([
      expect.objectContaining({ kind: 'event', outcome: 'unresolved', userId: UNKNOWN_USER }),
    ]);
    expect(rows[0]?.reason).toMatch(/not in the identity map/);
  });

  it('bad input never throws: it ends as a rejected audit row', async () => {
    for (const bad of [{ 'detail-type': 'Object Created', source: 'aws.s3' }, 'text', null]) {
      const result = await handle(bad);
      expect(result).toMatchObject({ outcomes: { rejected: 1 }, removals: 0, announced: 0 });
      const rows = await auditOf(result.runId);
      expect(rows.map((r) => r.outcome)).toEqual(['rejected']);
    }
    expect(lastMetrics()).toMatchObject({ UnresolvedEvents: 0 });
  });

  it('a CreateUser envelope refreshes the identity map at once', async () => {
    const org = t.sandbox.org;
    const email = 'lambda-newcomer@example.com';
    const { events } = applyMembershipChange(org, {
      add: [{ group: org.groupEmails.readers, email }],
    });
    const result = await handle(events[0]);
    expect(result).toMatchObject({ outcomes: { refreshed: 1 }, removals: 0 });
    const userId = events[0]?.detail.responseElements?.id as string;
    expect((await t.stores.identities.get(userId))?.email).toBe(email);
  });

  it('a storage failure throws after auditing, so the invocation is retried; the retry succeeds', async () => {
    const { events, leavers } = removePeople(t.sandbox.org, { count: 1 }, { now: afterSnapshot() });
    await snapshotOk(t.sandbox);
    const dynamo = new DynamoDBClient({
      region: t.sandbox.org.region,
      endpoint: t.sandbox.dynamo.endpoint,
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    });
    try {
      await dynamo.send(new DeleteTableCommand({ TableName: t.names.events }));
      const error = await handle(events[0]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteServiceError);
      expect((error as RemoteServiceError).retryable).toBe(true);
      expect(queue.sent).toHaveLength(0);
      await ensureTables(dynamo, 'idsync');
    } finally {
      dynamo.destroy();
    }
    const retried = await handle(events[0]);
    expect(retried).toMatchObject({ outcomes: { resolved: 1 }, removals: 1 });
    expect(retried.announced).toBeGreaterThan(0);
    expect(queue.drain().length).toBe(retried.announced);
    expect(leavers.emails).toHaveLength(1);
  });
});
