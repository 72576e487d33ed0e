import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { READ_ONLY_EVENTS_STATE } from '../../infra/constructs/activity.js';
import type { IdsyncStack } from '../../infra/stacks/idsync-stack.js';
import {
  ACTIVITY_LAG_METRIC,
  activityLagFields,
  activityLagHours,
  MAX_ACTIVITY_LAG_HOURS,
  NO_COVERAGE_LAG_HOURS,
} from '../../shared/activity-lag-metric.js';
import { LAMBDA_ENV } from '../../shared/lambda/lambda-env.js';
import { fixtureStack } from './fixture-stack.js';

type Resource = ReturnType<Template['findResources']>[string];

describe('activity capture in the stack', () => {
  let stack: IdsyncStack;
  let template: Template;
  let activityFn: string;

  beforeAll(() => {
    ({ stack, template } = fixtureStack({ quickSightAccountId: '210987654321' }));
    const f = stack.functions.activity;
    if (!f) throw new Error('no activity function');
    activityFn = stack.getLogicalId(f.fn.node.defaultChild as never);
  });

  it('routes every QuickSight CloudTrail event of the QuickSight account, read-only ones included', () => {
    const rules = Object.values(
      template.findResources('AWS::Events::Rule', {
        Properties: { EventPattern: { source: ['aws.quicksight'] } },
      }),
    ) as Resource[];
    expect(rules).toHaveLength(1);
    const rule = rules[0] as Resource;
    expect(READ_ONLY_EVENTS_STATE).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    expect(rule.Properties.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.quicksight'],
      'detail-type': ['AWS API Call via CloudTrail'],
      account: ['210987654321'],
      detail: { eventSource: ['quicksight.amazonaws.com'] },
    });
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(rule.Properties.Targets[0]).toMatchObject({
      Arn: { 'Fn::GetAtt': [activityFn, 'Arn'] },
      RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
    });
  });

  it('schedules activity sync hourly on the same function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [activityFn, 'Arn'] } })],
    });
    // EventBridge may invoke the function from both rules, and only from them.
    const permissions = Object.values(
      template.findResources('AWS::Lambda::Permission', {
        Properties: { FunctionName: { 'Fn::GetAtt': [activityFn, 'Arn'] } },
      }),
    ) as Resource[];
    expect(permissions.map((p) => p.Properties.Principal)).toEqual([
      'events.amazonaws.com',
      'events.amazonaws.com',
    ]);
  });

  it('alarms when the record falls more than a day behind, or the sync stops reporting', () => {
    const alarms = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: ACTIVITY_LAG_METRIC },
      }),
    ) as Resource[];
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties).toMatchObject({
      Namespace: 'idsync',
      Dimensions: [{ Name: 'Deployment', Value: 'idsync' }],
      Statistic: 'Minimum',
      Period: 3600,
      Threshold: 24,
      EvaluationPeriods: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(String(alarms[0]?.Properties.AlarmDescription).length).toBeLessThanOrEqual(1024);
  });

  it('gives the activity function the activity table, no queue, no secret, no apply switch', () => {
    const fn = template.findResources('AWS::Lambda::Function')[activityFn] as Resource;
    const env = fn.Properties.Environment.Variables as Record<string, string>;
    expect(env.IDSYNC_TABLE_PREFIX).toBe('idsync');
    for (const v of Object.values(LAMBDA_ENV)) expect(env[v]).toBeUndefined();
    expect(fn.Properties.Timeout).toBe(900);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'idsync-activity',
      KeySchema: [{ AttributeName: 'userKey', KeyType: 'HASH' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });
});

describe('the activity lag metric', () => {
  const now = new Date('2026-12-02T12:00:00.000Z');
  it('is the hours from the end of the read CloudTrail span to now', () => {
    expect(activityLagHours('2026-12-02T09:30:00.000Z', now)).toBe(2.5);
    expect(activityLagHours('2026-12-02T12:30:00.000Z', now)).toBe(0);
    expect(activityLagHours(undefined, now)).toBe(NO_COVERAGE_LAG_HOURS);
    expect(NO_COVERAGE_LAG_HOURS).toBeGreaterThan(MAX_ACTIVITY_LAG_HOURS);
  });

  it('is an EMF record in the idsync namespace with the Deployment dimension', () => {
    const fields = activityLagFields('idsync-staging', '2026-12-01T12:00:00.000Z', now);
    expect(fields).toEqual({
      _aws: {
        Timestamp: now.getTime(),
        CloudWatchMetrics: [
          {
            Namespace: 'idsync',
            Dimensions: [['Deployment']],
            Metrics: [{ Name: 'ActivityLagHours', Unit: 'None' }],
          },
        ],
      },
      Deployment: 'idsync-staging',
      ActivityLagHours: 24,
    });
  });
});
