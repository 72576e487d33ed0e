import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPORT_RETENTION_DAYS } from '../../infra/constructs/operator-channel.js';
import type { IdsyncStack } from '../../infra/stacks/idsync-stack.js';
import { LAMBDA_ENV } from '../../shared/lambda/lambda-env.js';
import { fixtureStack } from './fixture-stack.js';

type Resource = ReturnType<Template['findResources']>[string];

describe('the operator topic and the reports bucket', () => {
  let stack: IdsyncStack;
  let template: Template;
  let topicId: string;

  beforeAll(() => {
    ({ stack, template } = fixtureStack({ operatorEmail: 'it-ops@example.com' }));
    topicId = stack.getLogicalId(stack.operators.topic.node.defaultChild as never);
  });

  it('every alarm notifies the stack topic by default (no topic given)', () => {
    const { stack: plain, template: t } = fixtureStack();
    const id = plain.getLogicalId(plain.operators.topic.node.defaultChild as never);
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    expect(alarms.length).toBeGreaterThanOrEqual(13);
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: id }]);
    t.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('encrypts the topic with a rotated key CloudWatch may use, accepts TLS only, subscribes operatorEmail', () => {
    const keyId = stack.getLogicalId(stack.operators.topicKey.node.defaultChild as never);
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'it-ops@example.com',
      TopicArn: { Ref: topicId },
    });
  });

  it('lets the plan function publish (topic ARN in its environment), and no other function', () => {
    const fns = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    const withTopic = Object.entries(fns).filter(
      ([, f]) => f.Properties.Environment.Variables[LAMBDA_ENV.operatorTopicArn] !== undefined,
    );
    const planId = stack.getLogicalId(stack.functions.plan?.fn.node.defaultChild as never);
    expect(withTopic.map(([id]) => id)).toEqual([planId]);
    expect(withTopic[0]?.[1].Properties.Environment.Variables[LAMBDA_ENV.operatorTopicArn]).toEqual(
      { Ref: topicId },
    );
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sns:Publish', Resource: { Ref: topicId } }),
        ]),
      },
    });
  });

  it('keeps reports in a private, encrypted, TLS-only bucket for 400 days, with access logs', () => {
    const reportsId = stack.getLogicalId(stack.operators.reports.node.defaultChild as never);
    const logsId = stack.getLogicalId(stack.operators.reportAccessLogs.node.defaultChild as never);
    const buckets = template.findResources('AWS::S3::Bucket') as Record<string, Resource>;
    for (const id of [reportsId, logsId]) {
      const p = buckets[id]?.Properties;
      expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0]).toMatchObject({
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
      });
      expect(p.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(p.LifecycleConfiguration.Rules).toEqual([
        { ExpirationInDays: REPORT_RETENTION_DAYS, Status: 'Enabled' },
      ]);
    }
    expect(REPORT_RETENTION_DAYS).toBe(400);
    expect(buckets[reportsId]?.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logsId },
      LogFilePrefix: 'reports/',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: reportsId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('refuses an operatorEmail that is not one address', () => {
    expect(() => fixtureStack({ operatorEmail: 'a@example.com,b@example.com' })).toThrow(
      /operatorEmail/,
    );
  });

  it('alarms on tasks held over an hour: Maximum over the schedule interval', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HeldTasks',
      Statistic: 'Maximum',
      Period: 3600,
      Threshold: 1,
      AlarmActions: [{ Ref: topicId }],
      AlarmDescription: Match.stringLikeRegexp('idsync status'),
    });
  });
});
