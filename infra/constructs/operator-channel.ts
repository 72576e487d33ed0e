import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Days a report (and its access log) is kept in the reports bucket. */
export const REPORT_RETENTION_DAYS = 400;

export interface OperatorChannelProps {
  /** Subscribed to the topic by email (the address confirms once). @default none */
  readonly operatorEmail?: string;
}

/**
 * How operators hear from idsync: an SNS topic every alarm notifies and the Lambda runs publish
 * their summaries to (guard tripped, work held, the review's waiting / done / expired), and the
 * S3 bucket the Lambda runs write their reports to (HTML + CSV).
 *
 * The topic is encrypted with its own KMS key (rotated yearly): CloudWatch alarms cannot publish
 * to a topic under the AWS-managed `aws/sns` key, whose policy cannot be changed, so the key
 * policy lets `cloudwatch.amazonaws.com` use it. The topic accepts TLS only.
 * The bucket: S3-managed encryption, all public access blocked, TLS only, objects expire after
 * REPORT_RETENTION_DAYS; its server access logs go to a second bucket with the same rules.
 */
export class OperatorChannel extends Construct {
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  readonly reports: s3.Bucket;
  readonly reportAccessLogs: s3.Bucket;

  /** Lets `role` publish to the topic: sns:Publish on it and the key use SNS needs, no wildcard. */
  grantPublish(role: iam.IGrantable): void {
    role.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
    );
    this.topicKey.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey');
  }

  constructor(scope: Construct, id: string, props: OperatorChannelProps = {}) {
    super(scope, id);
    // Server access logs are delivered under a bucket policy, not the log-delivery ACL.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: 'idsync: encrypts the operator topic (alarms and run summaries)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'idsync operators',
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    if (props.operatorEmail)
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.operatorEmail));

    const common: s3.BucketProps = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(REPORT_RETENTION_DAYS) }],
    };
    this.reportAccessLogs = new s3.Bucket(this, 'ReportAccessLogs', {
      ...common,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    });
    this.reports = new s3.Bucket(this, 'Reports', {
      ...common,
      serverAccessLogsBucket: this.reportAccessLogs,
      serverAccessLogsPrefix: 'reports/',
    });
  }
}
