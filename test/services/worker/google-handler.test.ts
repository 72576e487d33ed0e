import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { createGoogleWorkerHandler } from '../../../services/worker/google-handler.js';
import { createWorkerHandler } from '../../../services/worker/handler.js';
import { activityUserName } from '../../../shared/activity-record.js';
import { taskMessageBody } from '../../../shared/aws/sqs-task-messages.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import { LAMBDA_ENV } from '../../../shared/lambda/lambda-env.js';
import { groupTaskIdFor, type NewTask } from '../../../shared/task.js';
import { coverActivity } from '../../helpers/activity-coverage.js';
import { captureLogs, contextWith, sqsEvent } from '../../helpers/lambda.js';
import { snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';
import { startSecretsExtension, TOKEN } from '../../helpers/secrets-extension.js';

/**
 * The worker Lambda with Google writes (services/worker/google-handler.ts) on the sandbox: with
 * IDSYNC_GOOGLE_GROUP_WRITE=on a `leave_group` task that reaches it through the queue takes the
 * person out of the Google group (the Directory stand-in), the key fetched once through the
 * Parameters and Secrets extension stand-in and written 0600; the default entry
 * (services/worker/handler.ts) has no Google writer and defers the task.
 */

const FAST = { baseMs: 1, capMs: 5 };
const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:idsync/google-key-AbCdEf';

describe('worker Lambda handler with Google writes', { timeout: 60_000 }, () => {
  let t: TestSandbox;
  let extension: Awaited<ReturnType<typeof startSecretsExtension>>;
  let tasks: DynamoTaskStore;
  let dir: string;
  let env: Record<string, string>;
  /** The task the default entry deferred, delivered again to the Google entry. */
  let deferred: Awaited<ReturnType<typeof queueLeave>> | undefined;

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
    extension = await startSecretsExtension(
      new Map([[SECRET_ARN, readFileSync(t.sandbox.google.credentialsPath, 'utf8')]]),
    );
    tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    dir = mkdtempSync(join(tmpdir(), 'idsync-worker-google-'));
    env = {
      ...t.sandbox.env,
      IDSYNC_LOG_LEVEL: 'info',
      IDSYNC_APPLY: 'true',
      IDSYNC_GOOGLE_GROUP_WRITE: 'on',
      IDSYNC_GOOGLE_CREDENTIALS: join(dir, 'google-key.json'),
      [LAMBDA_ENV.googleKeySecret]: SECRET_ARN,
      AWS_SESSION_TOKEN: TOKEN,
    };
    const org = t.sandbox.org;
    const activity = new DynamoActivityStore(t.doc, t.names.activity);
    await coverActivity(activity, [org.region], { from: ago(90 * DAY), to: ago(15 * 60_000) });
  });
  afterAll(async () => {
    await extension?.close();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** IdC-native users of the organisation in a configured group, with that group. */
  function idcMembers(): Array<{ user: QuickSightUser; email: string; group: string }> {
    const org = t.sandbox.org;
    const found = [];
    for (const user of org.quickSight.list()) {
      if (user.identityType !== 'IAM_IDENTITY_CENTER' || !user.email) continue;
      const group = org.groups.find((g) =>
        org.google.directMembers(g).some((m) => m.email === user.email),
      );
      if (group) found.push({ user, email: user.email, group });
    }
    return found;
  }
  const inGroup = (group: string, email: string) =>
    t.sandbox.org.google.directMembers(group).some((m) => m.email === email);

  /** An idle IdC user's `leave_group` task, as a monthly review's approval queues it. */
  async function queueLeave(member: { user: QuickSightUser; email: string; group: string }) {
    const { user, email, group } = member;
    const org = t.sandbox.org;
    await new DynamoActivityStore(t.doc, t.names.activity).recordActivity(
      org.namespace,
      activityUserName(user),
      { at: ago(70 * DAY), eventName: 'GetDashboard', source: 'cloudtrail' },
    );
    const task: NewTask = {
      taskId: groupTaskIdFor(org.namespace, email, group),
      runId: 'review-1',
      email,
      userName: user.userName,
      ...(user.principalId ? { principalId: user.principalId } : {}),
      arn: user.arn,
      role: user.role,
      identityType: user.identityType,
      source: 'inactive',
      reason: `${user.role} user ${user.userName} is idle`,
      idleDays: 60,
      action: 'leave_group',
      group,
    };
    expect(await tasks.enqueue(task)).toBe('created');
    return {
      task,
      message: {
        messageId: `leave-${user.userName}`,
        body: taskMessageBody({ taskId: task.taskId, runId: 'review-1' }),
      },
    };
  }

  it('the default entry has no Google writer: the leave_group task is deferred, the person stays', async () => {
    const [member] = idcMembers();
    if (!member) throw new Error('no IdC-native member in the organisation');
    deferred = await queueLeave(member);
    const { task, message } = deferred;
    const logs = captureLogs();
    const handler = createWorkerHandler(env, { logDestination: logs.stream, backoff: FAST });
    expect(await handler(sqsEvent([message]), contextWith(60_000))).toEqual({
      batchItemFailures: [],
    });
    expect(inGroup(task.group as string, task.email)).toBe(true);
    expect(await tasks.get(task.taskId)).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(logs.lines.some((l) => String(l.msg).includes('no Google writer'))).toBe(true);
  });

  it('with IDSYNC_GOOGLE_GROUP_WRITE=on: the Google stand-in loses the members, the tasks are left_group, the key fetched once', async () => {
    const [, second] = idcMembers();
    if (!second || !deferred) throw new Error('fewer than two IdC-native members');
    // The task the default entry deferred comes again, and a new one.
    const queued = [deferred, await queueLeave(second)];
    extension.state.requests = 0;
    const logs = captureLogs();
    const handler = createGoogleWorkerHandler(env, {
      secrets: extension.reader(),
      logDestination: logs.stream,
      backoff: FAST,
    });
    // One invocation per message, as the queue may deliver them: one container, one key fetch.
    for (const { message } of queued)
      expect(await handler(sqsEvent([message]), contextWith(60_000))).toEqual({
        batchItemFailures: [],
      });
    for (const { task } of queued) {
      expect(inGroup(task.group as string, task.email)).toBe(false);
      expect(await tasks.get(task.taskId)).toMatchObject({ status: 'DONE', outcome: 'left_group' });
    }
    expect(extension.state.requests).toBe(1);
    const keyPath = env.IDSYNC_GOOGLE_CREDENTIALS as string;
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(logs.metrics().map((m) => m.FailedItems)).toEqual([0, 0]);
  });
});
