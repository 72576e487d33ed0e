import { StateMachine } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVIEW_STATES } from '../../infra/constructs/review.js';
import { createApprovalHandler } from '../../services/review/approval-handler.js';
import { createReviewHandler } from '../../services/review/handler.js';
import type { OperatorSummary } from '../../services/review/review-ports.js';
import { smallOrg } from '../../services/sandbox/scenarios/org.js';
import { createWorkerHandler } from '../../services/worker/handler.js';
import { activityUserName } from '../../shared/activity-record.js';
import type { TaskTokenPort } from '../../shared/aws/sfn-task-token.js';
import { MemoryTaskQueue } from '../../shared/aws/sqs-task-messages.js';
import { DynamoActivityStore } from '../../shared/dynamo/activity-store.js';
import { DynamoReviewStore } from '../../shared/dynamo/review-store.js';
import { DynamoTaskStore } from '../../shared/dynamo/task-store.js';
import { coverActivity } from '../helpers/activity-coverage.js';
import { sqsEvent } from '../helpers/lambda.js';
import { snapshotOk, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { fixtureStack } from './fixture-stack.js';
import { reviewDefinition } from './review-definition.js';

/**
 * The review state machine the stack synthesizes, run by aws-local-stepfunctions (Node ≥ 22:
 * .ci/run runs this file on Node 24). Its Task states are overridden by the real review handler
 * (services/review/handler.ts) against the sandbox; the approval is the real approval function
 * answering the task token the machine waits on; released tasks go to the real worker handler.
 */

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const IDLE = 3;

type Json = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: aws-local-stepfunctions hands JSON values over.
type Handler = (input: any) => Promise<any>;

describe('the review state machine (synthesized ASL) on the sandbox', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let idleNames: string[];
  const queue = new MemoryTaskQueue();
  const summaries: string[] = [];
  const operators: OperatorSummary = {
    publish: async (subject) => {
      summaries.push(subject);
    },
  };
  /** Task tokens the machine waits on, answered by the approval function's TaskTokenPort. */
  const waiting = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const token: TaskTokenPort = {
    async succeed(tok, output) {
      waiting.get(tok)?.resolve(output);
    },
    async fail(tok, error, cause) {
      waiting.get(tok)?.reject(Object.assign(new Error(cause), { name: error }));
    },
  };
  let clock = () => new Date();
  // biome-ignore lint/suspicious/noExplicitAny: the ASL document is free-form JSON.
  let definition: any;

  beforeAll(async () => {
    definition = reviewDefinition(fixtureStack().template);
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
    const activity = new DynamoActivityStore(t.doc, t.names.activity);
    await coverActivity(activity, [t.sandbox.org.region], { from: ago(90), to: ago(0.01) });
    const readers = t.sandbox.org.people.filter((p) => p.kind === 'reader' && !p.protected);
    idleNames = readers
      .slice(0, IDLE)
      .map((p) => p.quickSightUsers[0]?.userName ?? '')
      .sort();
    for (const u of t.sandbox.org.quickSight.list())
      if (!idleNames.includes(u.userName))
        await activity.recordActivity(t.sandbox.org.namespace, activityUserName(u), {
          at: ago(5),
          eventName: 'GetDashboard',
          source: 'cloudtrail',
        });
  }, 120_000);
  afterAll(async () => t?.close());

  function machine() {
    const env = { ...t.sandbox.env, IDSYNC_LOG_LEVEL: 'silent', IDSYNC_APPLY: 'true' };
    const options = { queue, operators, now: () => clock() };
    const review = createReviewHandler(env, options);
    const worker = createWorkerHandler(env);
    const step: Handler = async (input: Json) => review(input.Payload ?? input);
    const overrides: Record<string, Handler> = {};
    for (const name of Object.values(REVIEW_STATES)) overrides[name] = step;
    // The approval wait: the review function stores the token, then the state waits for it.
    overrides[REVIEW_STATES.await] = async (input) => {
      const payload = input.Payload as Json;
      await review(payload);
      return new Promise((resolve, reject) =>
        waiting.set(String(payload.taskToken), { resolve, reject }),
      );
    };
    // The worker queue's consumer: the worker function takes what the release sent.
    overrides[REVIEW_STATES.progress] = async (input) => {
      const messages = queue.drain();
      if (messages.length > 0) await worker(sqsEvent(messages));
      return step(input);
    };
    const sm = new StateMachine(definition);
    return {
      approval: createApprovalHandler(env, { ...options, token }),
      run: (runId: string) =>
        sm.run(
          {},
          {
            overrides: {
              taskResourceLocalHandlers: overrides,
              waitTimeOverrides: { [REVIEW_STATES.wait]: 0 },
            },
            context: {
              Execution: { Name: runId, Input: {}, StartTime: new Date().toISOString() },
              Task: { Token: `token-${runId}` },
            },
          },
        ),
    };
  }

  const reviews = () => new DynamoReviewStore(t.doc, t.names.reviews);
  const untilWaiting = async (runId: string) => {
    for (let i = 0; i < 600 && !waiting.has(`token-${runId}`); i++)
      await new Promise((r) => setImmediate(r));
    expect(waiting.has(`token-${runId}`)).toBe(true);
  };

  it('times out into expiry: the tasks are cancelled and nobody is deleted', async () => {
    const m = machine();
    const before = t.sandbox.org.quickSight.size;
    const execution = m.run('review-timeout');
    await untilWaiting('review-timeout');
    const stored = await reviews().get('review-timeout');
    expect(stored?.status).toBe('AWAITING');
    expect(stored?.taskToken).toBe('token-review-timeout');
    // The approval days pass: Step Functions ends the wait with States.Timeout.
    clock = () => new Date(Date.now() + 8 * DAY);
    waiting
      .get('token-review-timeout')
      ?.reject(Object.assign(new Error('timed out'), { name: 'States.Timeout' }));
    const result = (await execution.result) as Json;
    expect(result.cancelled).toMatchObject({ status: 'EXPIRED', tasks: IDLE });
    expect((await reviews().get('review-timeout'))?.status).toBe('EXPIRED');
    expect(t.sandbox.org.quickSight.size).toBe(before);
    expect(queue.sent).toEqual([]);
    clock = () => new Date();
  });

  it('a rejection from the approval function cancels the tasks: nobody is deleted', async () => {
    const m = machine();
    const before = t.sandbox.org.quickSight.size;
    const execution = m.run('review-rejected');
    await untilWaiting('review-rejected');
    expect(await m.approval({ review: 'review-rejected', decision: 'reject' })).toMatchObject({
      via: 'state machine',
    });
    const result = (await execution.result) as Json;
    expect(result.error).toMatchObject({ Error: 'ReviewRejected' });
    expect(result.cancelled).toMatchObject({ status: 'REJECTED', tasks: IDLE });
    expect(t.sandbox.org.quickSight.size).toBe(before);
    expect(queue.sent).toEqual([]);
  });

  it('waits for the approval function, then the worker deletes exactly the approved set', async () => {
    const m = machine();
    const before = t.sandbox.org.quickSight.size;
    const execution = m.run('review-approved');
    await untilWaiting('review-approved');
    const tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    const awaiting = [];
    for await (const page of tasks.ofReview('AWAITING_APPROVAL', 'review-approved'))
      awaiting.push(...page);
    expect(awaiting.map((x) => x.userName).sort()).toEqual(idleNames);
    // Nothing deleted while the machine waits.
    expect(t.sandbox.org.quickSight.size).toBe(before);
    const answer = await m.approval({ review: 'review-approved', decision: 'approve' });
    expect(answer).toMatchObject({ via: 'state machine' });
    const result = (await execution.result) as Json;
    expect(result.finish).toMatchObject({ runId: 'review-approved', status: 'DONE' });
    expect(t.sandbox.org.quickSight.size).toBe(before - IDLE);
    const left = new Set(t.sandbox.org.quickSight.list().map((u) => u.userName));
    expect(idleNames.filter((n) => left.has(n))).toEqual([]);
    expect(summaries).toEqual(
      expect.arrayContaining([
        `idsync review review-approved: ${IDLE} removals await approval`,
        'idsync review review-approved done',
        'idsync review review-timeout expired',
      ]),
    );
  });
});
