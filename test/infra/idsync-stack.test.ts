import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { IDSYNC_RUNTIME, JOBS } from '../../infra/constructs/idsync-function.js';
import { IDC_EVENT_NAMES, IDC_EVENT_SOURCES } from '../../infra/constructs/triggers.js';
import type { IdsyncStack } from '../../infra/stacks/idsync-stack.js';
import { extractEvent } from '../../services/events/parse-events.js';
import { cloudTrailEvent, eventBridgeEnvelope } from '../../services/sandbox/cloudtrail-events.js';
import { LAMBDA_ENV, LAMBDA_GOOGLE_KEY_PATH } from '../../shared/lambda/lambda-env.js';
import { IDSYNC_METRICS, METRIC_NAMESPACE } from '../../shared/metrics.js';
import { FIXTURE_HANDLER, fixtureStack } from './fixture-stack.js';

/** EventBridge's matching of exact-value patterns: every key's value is one of the listed. */
function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  const e = (event ?? {}) as Record<string, unknown>;
  return Object.entries(pattern).every(([key, want]) =>
    Array.isArray(want)
      ? want.includes(e[key])
      : matchesPattern(want as Record<string, unknown>, e[key]),
  );
}

/** A template resource as `Template.findResources` returns it. */
type Resource = ReturnType<Template['findResources']>[string];
interface PolicyStatementJson {
  readonly Effect: string;
  readonly Condition?: { readonly Bool?: Record<string, string> };
}

/** The logical id of a function of the stack. */
const fnId = (stack: IdsyncStack, job: 'snapshot' | 'plan' | 'worker' | 'events') => {
  const f = stack.functions[job];
  if (!f) throw new Error(`no ${job} function`);
  return stack.getLogicalId(f.fn.node.defaultChild as never);
};

describe('IdsyncStack wiring', () => {
  let stack: IdsyncStack;
  let template: Template;
  let functions: Record<string, Resource>;

  beforeAll(() => {
    ({ stack, template } = fixtureStack({ scheduleMinutes: 30 }));
    functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
  });

  it('deploys seven functions (six jobs, the review approval) on the newest Node.js runtime, ARM64, ESM bundle with source maps', () => {
    expect(Object.keys(functions)).toHaveLength(7);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Runtime).toBe(IDSYNC_RUNTIME.name);
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(fn.Properties.LoggingConfig.LogGroup).toBeDefined();
    }
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 90 }, 7);
  });

  it('schedules the snapshot at the configured rate and chains the plan on its success', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(30 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId(stack, 'snapshot'), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId(stack, 'snapshot') },
      MaximumRetryAttempts: 0,
      DestinationConfig: {
        OnSuccess: { Destination: { 'Fn::GetAtt': [fnId(stack, 'plan'), 'Arn'] } },
      },
    });
  });

  it('routes only genuine CloudTrail IdC user events (aws.* sources, the IdC account) to the event handler', () => {
    const rules = (
      Object.values(
        template.findResources('AWS::Events::Rule', {
          Properties: { EventPattern: Match.anyValue() },
        }),
      ) as Resource[]
    ).filter((r) => !(r.Properties.EventPattern.source ?? []).includes('aws.quicksight'));
    // The other pattern rule is the QuickSight activity rule (test/infra/activity.test.ts).
    expect(rules).toHaveLength(1);
    const rule = rules[0] as Resource;
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.identitystore', 'aws.sso-directory', 'aws.identitystore-scim'],
      account: [stack.settings.account],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: [
          'identitystore.amazonaws.com',
          'sso-directory.amazonaws.com',
          'identitystore-scim.amazonaws.com',
        ],
        eventName: ['DeleteUser', 'CreateUser', 'PutUser', 'PatchUser', 'UpdateUser'],
      },
    });
    expect(IDC_EVENT_SOURCES).toHaveLength(3);
    expect(IDC_EVENT_NAMES).toHaveLength(5);
    // Every event the parser takes is routed; a forged source or another account is not.
    const pattern = rule.Properties.EventPattern as Record<string, unknown>;
    for (const source of IDC_EVENT_SOURCES) {
      for (const eventName of IDC_EVENT_NAMES) {
        const envelope = eventBridgeEnvelope(
          cloudTrailEvent({
            source,
            eventName,
            userId: '9067700001-00000001-538a-4cd3-a572-63fb863ed701',
            identityStoreId: stack.settings.identityStoreId,
            tenantId: 'tenant',
            accountId: stack.settings.account,
            region: stack.settings.region,
            time: new Date('2026-01-01T00:00:00Z'),
          }),
        );
        expect(extractEvent(envelope).ok, `${source} ${eventName} parsed`).toBe(true);
        expect(matchesPattern(pattern, envelope), `${source} ${eventName} routed`).toBe(true);
        expect(matchesPattern(pattern, { ...envelope, source: 'my.app' })).toBe(false);
        expect(matchesPattern(pattern, { ...envelope, account: '210987654321' })).toBe(false);
      }
    }
    expect(rule.Properties.Targets[0].Arn).toEqual({
      'Fn::GetAtt': [fnId(stack, 'events'), 'Arn'],
    });
    expect(rule.Properties.Targets[0].DeadLetterConfig).toBeDefined();
  });

  it('puts an SSE, TLS-only queue with a dead-letter queue in front of the single worker', () => {
    const queues = template.findResources('AWS::SQS::Queue') as Record<string, Resource>;
    expect(Object.keys(queues)).toHaveLength(3); // work queue, its DLQ, failed events
    for (const q of Object.values(queues)) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
    const work = Object.values(queues).find((q) => q.Properties.RedrivePolicy) as Resource;
    const workerTimeout = functions[fnId(stack, 'worker')]?.Properties.Timeout;
    expect(work.Properties.VisibilityTimeout).toBe(6 * workerTimeout);
    expect(work.Properties.RedrivePolicy.maxReceiveCount).toBe(5);
    const dlqId = stack.getLogicalId(stack.workQueue.deadLetterQueue.node.defaultChild as never);
    expect(work.Properties.RedrivePolicy.deadLetterTargetArn).toEqual({
      'Fn::GetAtt': [dlqId, 'Arn'],
    });
    // enforceSSL: every queue's policy denies non-TLS access.
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')) as Resource[];
    const denies = policies.flatMap((p) =>
      p.Properties.PolicyDocument.Statement.filter(
        (s: PolicyStatementJson) =>
          s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
    );
    expect(denies.length).toBeGreaterThanOrEqual(3);

    expect(functions[fnId(stack, 'worker')]?.Properties.ReservedConcurrentExecutions).toBe(1);
    for (const job of ['snapshot', 'plan', 'events'] as const) {
      expect(functions[fnId(stack, job)]?.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId(stack, 'worker') },
      EventSourceArn: {
        'Fn::GetAtt': [stack.getLogicalId(stack.workQueue.queue.node.defaultChild as never), 'Arn'],
      },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    expect(stack.workQueue.leaseBounds).toEqual({
      maxSeconds: workerTimeout,
      visibilitySeconds: 6 * workerTimeout,
    });
  });

  it('keeps the worker in dry run unless apply is set, and gives each job its variables', () => {
    const env = (job: 'snapshot' | 'plan' | 'worker' | 'events') =>
      functions[fnId(stack, job)]?.Properties.Environment.Variables as Record<string, unknown>;
    expect(env('worker')[LAMBDA_ENV.apply]).toBe('false');
    for (const job of ['snapshot', 'plan', 'events'] as const) {
      expect(env(job)[LAMBDA_ENV.apply]).toBeUndefined();
    }
    expect(env('snapshot')[LAMBDA_ENV.googleKeySecret]).toEqual({
      Ref: stack.getLogicalId(stack.googleKey.node.defaultChild as never),
    });
    expect(env('snapshot').IDSYNC_GOOGLE_CREDENTIALS).toBe(LAMBDA_GOOGLE_KEY_PATH);
    for (const job of ['plan', 'worker', 'events'] as const) {
      expect(env(job)[LAMBDA_ENV.googleKeySecret]).toBeUndefined();
    }
    expect(env('plan')[LAMBDA_ENV.workerQueueUrl]).toBeDefined();
    expect(env('events')[LAMBDA_ENV.workerQueueUrl]).toBeDefined();
    expect(env('worker')).toMatchObject({
      IDSYNC_TABLE_PREFIX: 'idsync',
      IDSYNC_IDENTITY_STORE_ID: 'd-1234567890',
      IDSYNC_QUICKSIGHT_ACCOUNT_ID: '123456789012',
      IDSYNC_QUICKSIGHT_NAMESPACE: 'default',
      IDSYNC_QUICKSIGHT_REGION: 'us-east-1',
      IDSYNC_GOOGLE_GROUPS: 'quicksight-readers@example.com',
    });
    const layers = functions[fnId(stack, 'snapshot')]?.Properties.Layers;
    expect(layers).toHaveLength(1); // the Parameters and Secrets extension
    expect(functions[fnId(stack, 'worker')]?.Properties.Layers).toBeUndefined();
  });

  it('alarms on the dead-letter queues, the four idsync metrics and every function error', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    // The activity lag alarm has its own threshold (test/infra/activity.test.ts).
    const lag = alarms.filter((a) => a.Properties.MetricName === 'ActivityLagHours');
    expect(lag).toHaveLength(1);
    const custom = alarms.filter(
      (a) => a.Properties.Namespace === METRIC_NAMESPACE && !lag.includes(a),
    );
    expect(custom.map((a) => a.Properties.MetricName).sort()).toEqual(
      Object.keys(IDSYNC_METRICS).sort(),
    );
    for (const a of custom) {
      expect(a.Properties.Dimensions).toEqual([{ Name: 'Deployment', Value: 'idsync' }]);
    }
    const dlq = alarms.filter(
      (a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    expect(dlq).toHaveLength(2);
    const errors = alarms.filter((a) => a.Properties.MetricName === 'Errors');
    expect(errors).toHaveLength(JOBS.length);
    for (const a of alarms.filter((x) => !lag.includes(x))) {
      expect(a.Properties.Threshold).toBe(1);
      expect(a.Properties.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      expect(a.Properties.TreatMissingData).toBe('notBreaching');
      // Tells an operator what to do, within CloudWatch's 1024-character limit.
      expect(a.Properties.AlarmDescription.length).toBeGreaterThan(80);
      expect(a.Properties.AlarmDescription.length).toBeLessThanOrEqual(1024);
    }
  });
});

describe('IdsyncStack switches', () => {
  it('sets IDSYNC_APPLY=true on the worker only when apply is given; an operator-supplied topic is notified beside the stack topic', () => {
    const { stack, template } = fixtureStack({
      apply: 'true',
      alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:ops',
    });
    const worker = template.findResources('AWS::Lambda::Function')[fnId(stack, 'worker')];
    expect(worker?.Properties.Environment.Variables[LAMBDA_ENV.apply]).toBe('true');
    const topicId = stack.getLogicalId(stack.operators.topic.node.defaultChild as never);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toEqual([
        { Ref: topicId },
        'arn:aws:sns:us-east-1:123456789012:ops',
      ]);
    }
  });

  it('leaves out jobs without a handler and still synthesises', () => {
    const { stack, template } = fixtureStack({}, { entries: { snapshot: FIXTURE_HANDLER } });
    expect(Object.keys(stack.functions)).toEqual(['snapshot']);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      DestinationConfig: Match.absent(),
    });
  });

  it('fails the synth with the config error of a bad context value', () => {
    expect(() => fixtureStack({ identityStoreId: 'store-1' })).toThrow(/IDSYNC_IDENTITY_STORE_ID/);
    expect(() => fixtureStack({ groups: 'not-an-email' })).toThrow(/IDSYNC_GOOGLE_GROUPS/);
    // The activity function reads CloudTrail in IDSYNC_ACTIVITY_REGIONS (context `environment`).
    expect(() =>
      fixtureStack({ environment: { IDSYNC_ACTIVITY_REGIONS: 'us-east-1,moon' } }),
    ).toThrow(/IDSYNC_ACTIVITY_REGIONS/);
  });
});
