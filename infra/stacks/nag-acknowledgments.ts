import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { IConstruct } from 'constructs';
import { ASSET_TYPES } from '../../shared/asset-owner-actions.js';
import { RUN_REPORTS_PREFIX } from '../../shared/aws/s3-reports.js';
import { tableSpec } from '../../shared/tables.js';
import type { IdsyncFunction, Job } from '../constructs/idsync-function.js';
import type { IdsyncTables } from '../constructs/tables.js';
import { identityCenterElsewhere, quickSightElsewhere } from './identity-center-layout.js';
import { namespacesOf } from './quicksight-layout.js';
import type { IdsyncSettings } from './settings.js';
import { tablesOf } from './table-access.js';

/**
 * Every cdk-nag (AwsSolutions) finding this stack accepts, each with its reason. cdk-nag 3
 * reads acknowledgments from `Validations.of(construct).acknowledge()`; a wildcard finding is
 * acknowledged one resource at a time (`AwsSolutions-IAM5[Resource::<arn>]`), on the role it
 * concerns, never stack-wide.
 */

export const REASONS = {
  tableIndexes:
    'DynamoDB grants cover the table and its global secondary indexes (<table>/index/*): the jobs query the GSIs ' +
    'defined in shared/tables.ts (byManifest, byEmail, byStatus, byUserId, byDay); the wildcard is limited to the ' +
    'indexes of this one table.',
  quickSightUsers:
    'QuickSight users are named <IAM role>/<email> and come and go daily; ListUsers/DeleteUser/DeleteUserByPrincipalId ' +
    'are scoped to the users of one account, one identity region and each managed namespace (user/<namespace>/*), the narrowest ' +
    'ARN pattern the Service Authorization Reference allows for them.',
  quickSightAssets:
    'The asset handover before a deletion reads and grants permissions on whatever dashboards, analyses, datasets, ' +
    'data sources, folders, themes, templates and topics a departing user owns; their ids are not known in advance, ' +
    'so each type is scoped to <type>/* of one account and one region (no asset is ever deleted).',
  identityStoreUsers:
    'IdC user ARNs carry no account or store id (arn:aws:identitystore:::user/<uuid>); the SAR requires the user ' +
    'resource for DescribeUser, and the statement also names the one identity store ARN.',
  planInvoke:
    'The snapshot function invokes the plan function through its on-success Lambda destination; CDK grants ' +
    'lambda:InvokeFunction on the function ARN and its versions/aliases (<arn>:*) of that one function.',
  secretRotation:
    'The secret holds a Google Cloud service-account key, which only Google Cloud can issue; rotation is done by the ' +
    'operator in Google Cloud (create a new key, put it in this secret, delete the old key). There is no Secrets ' +
    'Manager rotation Lambda for Google keys.',
  cloudTrailLookup:
    'cloudtrail:LookupEvents has no resource type and no condition key in the Service Authorization Reference: it ' +
    "reads the account's CloudTrail event history of the region, and `*` is its only valid resource. The statement holds " +
    'this one read-only action, on the activity function role only (activity sync reads QuickSight events with it).',
  reviewInvoke:
    'The review state machine invokes the review function from its Task states; CDK grants lambda:InvokeFunction on ' +
    'the function ARN and its versions/aliases (<arn>:*) of that one function.',
  reviewReports:
    "The review function writes each review's reports (HTML + CSV) under runs/<run id>/ in the reports bucket and " +
    'signs the pre-signed GET link of them; run ids are new every month, so s3:PutObject and s3:GetObject (and ' +
    'nothing else) are granted on the runs/ prefix of that one bucket.',
  sesGetAccount:
    'The notices to users are paced to the SES sending rate read with ses:GetAccount, which the Service ' +
    'Authorization Reference lists without a resource type (only * is accepted); ses:SendEmail itself is scoped to ' +
    'the one From identity (context noticeFrom).',
  reviewLogs:
    'The review workflow keeps its execution history in Step Functions (every state, its input and output, 90 days, ' +
    'shown in the console the runbook uses) and writes every step to the append-only audit table; a CloudWatch Logs ' +
    'log delivery would need logs:*LogDelivery on `*` (no resource-level permissions), which the stack never grants.',
  reviewTracing:
    'X-Ray tracing needs xray:PutTraceSegments on `*` (no resource-level permissions); the review runs one Lambda step ' +
    'at a time, each with its own log group, and the stack grants no wildcard resource.',
  failedEventsQueue:
    'This queue is itself a dead-letter queue (event handler invocations that failed after their retries), watched ' +
    'by the FailedEventsNotEmpty alarm; a dead-letter queue of a dead-letter queue would hide failures further.',
} as const;

function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

/** The cdk-nag form of a resource ARN: `<LogicalId.Arn>` for an attribute of a stack resource. */
function arnOf(element: CfnElement): string {
  return `<${Stack.of(element).getLogicalId(element)}.Arn>`;
}

/** What the acknowledgements name: the stack's parts (the stack passes itself; no import cycle). */
export interface NagSubject {
  readonly settings: IdsyncSettings;
  readonly tables: IdsyncTables;
  readonly functions: Partial<Record<Job, IdsyncFunction>>;
  readonly googleKey: IConstruct;
  readonly failedEvents: IConstruct;
  /** The monthly review and its approval function, when the review function is deployed. */
  readonly review?: { readonly stateMachine: { readonly role: IConstruct } & IConstruct };
  readonly approval?: IdsyncFunction;
  /** The reports bucket (infra/constructs/operator-channel.ts). */
  readonly reportsBucket: IConstruct;
}

export function acknowledgeNagFindings(stack: NagSubject): void {
  const settings = stack.settings;
  const partition = '<AWS::Partition>';
  const quickSightUsers = namespacesOf(settings, settings.quickSightAccountId).map(
    (namespace) =>
      `arn:${partition}:quicksight:${settings.quickSightRegion}:${settings.quickSightAccountId}:user/${namespace}/*`,
  );

  for (const [job, f] of Object.entries(stack.functions) as Array<[Job, IdsyncFunction]>) {
    for (const id of tablesOf(job).filter((t) => tableSpec(t).indexes.length > 0)) {
      const cfn = (stack.tables.table(id) as dynamodb.Table).node.defaultChild as CfnElement;
      acknowledge(
        f.role,
        `AwsSolutions-IAM5[Resource::${arnOf(cfn)}/index/*]`,
        REASONS.tableIndexes,
      );
    }
    // QuickSight elsewhere: no direct QuickSight or CloudTrail statement (the operator role's).
    const direct = !quickSightElsewhere(settings);
    if (direct && (job === 'snapshot' || job === 'worker')) {
      for (const users of quickSightUsers)
        acknowledge(f.role, `AwsSolutions-IAM5[Resource::${users}]`, REASONS.quickSightUsers);
    }
    if (direct && job === 'worker') {
      for (const word of ASSET_TYPES)
        acknowledge(
          f.role,
          `AwsSolutions-IAM5[Resource::arn:${partition}:quicksight:${settings.quickSightRegion}:${settings.quickSightAccountId}:${word}/*]`,
          REASONS.quickSightAssets,
        );
    }
    if (direct && job === 'activity') {
      acknowledge(f.role, 'AwsSolutions-IAM5[Resource::*]', REASONS.cloudTrailLookup);
    }
    if (job === 'events' && !identityCenterElsewhere(settings)) {
      acknowledge(
        f.role,
        `AwsSolutions-IAM5[Resource::arn:${partition}:identitystore:::user/*]`,
        REASONS.identityStoreUsers,
      );
    }
  }
  const { snapshot, plan } = stack.functions;
  if (snapshot && plan) {
    const planFn = plan.fn.node.defaultChild as CfnElement;
    acknowledge(
      snapshot.role,
      `AwsSolutions-IAM5[Resource::${arnOf(planFn)}:*]`,
      REASONS.planInvoke,
    );
  }
  if (stack.review && stack.functions.review) {
    const reviewFn = stack.functions.review.fn.node.defaultChild as CfnElement;
    const machine = stack.review.stateMachine;
    acknowledge(
      machine.role,
      `AwsSolutions-IAM5[Resource::${arnOf(reviewFn)}:*]`,
      REASONS.reviewInvoke,
    );
    const reports = stack.reportsBucket.node.defaultChild as CfnElement;
    acknowledge(
      stack.functions.review.role,
      `AwsSolutions-IAM5[Resource::${arnOf(reports)}/${RUN_REPORTS_PREFIX}*]`,
      REASONS.reviewReports,
    );
    if (settings.noticeFrom)
      acknowledge(
        stack.functions.review.role,
        'AwsSolutions-IAM5[Resource::*]',
        REASONS.sesGetAccount,
      );
    acknowledge(machine, 'AwsSolutions-SF1', REASONS.reviewLogs);
    acknowledge(machine, 'AwsSolutions-SF2', REASONS.reviewTracing);
  }
  if (stack.approval) {
    for (const id of ['tasks', 'audit'] as const) {
      const cfn = (stack.tables.table(id) as dynamodb.Table).node.defaultChild as CfnElement;
      acknowledge(
        stack.approval.role,
        `AwsSolutions-IAM5[Resource::${arnOf(cfn)}/index/*]`,
        REASONS.tableIndexes,
      );
    }
  }
  acknowledge(stack.googleKey, 'AwsSolutions-SMG4', REASONS.secretRotation);
  acknowledge(stack.failedEvents, 'AwsSolutions-SQS3', REASONS.failedEventsQueue);
}
