import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { RUN_REPORTS_PREFIX } from '../../shared/aws/s3-reports.js';
import {
  IDC_EVENTBRIDGE_SOURCES,
  QUICKSIGHT_EVENTBRIDGE_SOURCE,
} from '../../shared/event-sources.js';
import { SECRETS_EXTENSION_PORT } from '../../shared/lambda/lambda-env.js';
import { ActivityCapture } from '../constructs/activity.js';
import { IdsyncAlarms } from '../constructs/alarms.js';
import { CrossAccountBus } from '../constructs/cross-account-bus.js';
import {
  defaultEntry,
  IdsyncFunction,
  JOBS,
  type Job,
  jobLabel,
  REPO_ROOT,
} from '../constructs/idsync-function.js';
import { OperatorChannel } from '../constructs/operator-channel.js';
import {
  cloudTrailLookupEvents,
  identityStoreDescribeUser,
  identityStoreListUsers,
  quickSightAssetHandover,
  quickSightChangeUsers,
  quickSightListUsers,
  sesSendNotices,
} from '../constructs/permissions.js';
import { MonthlyReview } from '../constructs/review.js';
import { IdsyncTables } from '../constructs/tables.js';
import { IdcUserEventsRule, ReconcileSchedule } from '../constructs/triggers.js';
import { WorkQueue } from '../constructs/work-queue.js';
import { jobEnvironment, validateEnvironment } from './environment.js';
import {
  IDENTITY_CENTER_JOBS,
  identityCenterElsewhere,
  identityCenterEnvironment,
  idsyncBusName,
  jobRoleName,
  quickSightElsewhere,
} from './identity-center-layout.js';
import { acknowledgeNagFindings } from './nag-acknowledgments.js';
import {
  namespacesOf,
  needsOwnBus,
  QUICKSIGHT_JOBS,
  quickSightAccounts,
  quickSightAccountsElsewhere,
  quickSightEnvironment,
} from './quicksight-layout.js';
import { assumeRoleStatement } from './role-access.js';
import { googleGroupWrites, type IdsyncSettings } from './settings.js';
import { TABLE_ACCESS } from './table-access.js';

export interface IdsyncStackProps extends StackProps {
  readonly settings: IdsyncSettings;
  /**
   * Handler file of each job; a job left out is not deployed (its handler does not exist yet).
   * @default `services/<job>/handler.ts` for all four jobs
   */
  readonly entries?: Partial<Record<Job, string>>;
  /** Bundling overrides for every function (tests). @default idsyncBundling() */
  readonly bundling?: nodejs.BundlingOptions;
  /** Timeout of the worker; the queue's visibility timeout is 6 × this. @default 5 minutes */
  readonly workerTimeout?: Duration;
  /** Messages per worker invocation. @default 100 */
  readonly workerBatchSize?: number;
  /** Handler of the review's approval function. @default `services/review/approval-handler.ts` */
  readonly approvalEntry?: string;
}

/**
 * idsync in one stack: the tables, the four functions, the schedule (snapshot → plan), the
 * CloudTrail IdC user-event rule (→ event handler), the worker queue with its dead-letter queue,
 * the Google key secret, least-privilege IAM, the operator topic and reports bucket, and the
 * operator alarms (each notifying the topic).
 */
export class IdsyncStack extends Stack {
  readonly settings: IdsyncSettings;
  readonly tables: IdsyncTables;
  readonly workQueue: WorkQueue;
  readonly failedEvents: sqs.Queue;
  readonly googleKey: secretsmanager.Secret;
  /** The operator topic (every alarm, run summaries) and the reports bucket. */
  readonly operators: OperatorChannel;
  /** The reports bucket (what the nag acknowledgements name). */
  get reportsBucket(): OperatorChannel['reports'] {
    return this.operators.reports;
  }
  readonly functions: Partial<Record<Job, IdsyncFunction>> = {};
  /** The stack's own bus, when IdC or QuickSight events come from another account or region. */
  readonly eventBus?: CrossAccountBus;
  /** The monthly review and its approval function (deployed with the review function). */
  review?: MonthlyReview;
  approval?: IdsyncFunction;

  constructor(scope: Construct, id: string, props: IdsyncStackProps) {
    super(scope, id, {
      description: 'idsync: keeps QuickSight seats in step with Google group membership',
      ...props,
    });
    const s = props.settings;
    this.settings = s;
    const entries = props.entries ?? Object.fromEntries(JOBS.map((j) => [j, defaultEntry(j)]));

    this.tables = new IdsyncTables(this, 'Tables', { tablePrefix: s.tablePrefix });
    this.googleKey = new secretsmanager.Secret(this, 'GoogleKey', {
      secretName: s.secretName,
      description:
        'idsync: Google service-account JSON key (domain-wide delegation, member read-only scope). ' +
        'Put the key file content as the secret string.',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const workerTimeout = props.workerTimeout ?? Duration.minutes(5);
    this.workQueue = new WorkQueue(this, 'WorkQueue', { consumerTimeout: workerTimeout });
    this.failedEvents = new sqs.Queue(this, 'FailedEvents', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    if (needsOwnBus(s)) this.eventBus = this.crossAccountBus(s);

    this.operators = new OperatorChannel(this, 'Operators', {
      ...(s.operatorEmail ? { operatorEmail: s.operatorEmail } : {}),
    });

    const inputs = {
      settings: s,
      queueUrl: this.workQueue.queue.queueUrl,
      secretArn: this.googleKey.secretArn,
      operatorTopicArn: this.operators.topic.topicArn,
      reportsBucket: this.operators.reports.bucketName,
    };
    validateEnvironment(jobEnvironment('worker', inputs));

    // Group writes on: the worker also reads the Google key (Parameters and Secrets extension).
    const groupWrites = googleGroupWrites(s);
    const keyReaders: readonly Job[] = groupWrites ? ['snapshot', 'worker'] : ['snapshot'];
    for (const job of JOBS) {
      const entry = job === 'worker' ? workerEntry(entries.worker, groupWrites) : entries[job];
      if (!entry) continue;
      this.functions[job] = new IdsyncFunction(this, `${jobLabel(job)}Function`, {
        job,
        entry,
        environment: jobEnvironment(job, inputs),
        ...(props.bundling ? { bundling: props.bundling } : {}),
        // The IdC reader role's and the QuickSight operator role's trusts name these roles exactly.
        ...((identityCenterElsewhere(s) &&
          (IDENTITY_CENTER_JOBS as readonly Job[]).includes(job)) ||
        (quickSightAccountsElsewhere(s).length > 0 &&
          (QUICKSIGHT_JOBS as readonly Job[]).includes(job))
          ? { roleName: jobRoleName(s, job) }
          : {}),
        ...(job === 'snapshot' ? { memorySize: 1024, timeout: Duration.minutes(15) } : {}),
        ...(keyReaders.includes(job)
          ? {
              paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(
                lambda.ParamsAndSecretsVersions.V1_0_103,
                { httpPort: SECRETS_EXTENSION_PORT, cacheSize: 10 },
              ),
            }
          : {}),
        ...(job === 'worker' ? { timeout: workerTimeout, reservedConcurrentExecutions: 1 } : {}),
        // A first sync over 90 days takes minutes at 2 LookupEvents calls a second; it stops before
        // the timeout and the next run resumes from its cursor.
        ...(job === 'activity' ? { timeout: Duration.minutes(15) } : {}),
      });
    }
    this.grantAccess(s);
    this.wire(s, props);
    this.addReview(s, props, inputs);
    acknowledgeNagFindings(this);

    new CfnOutput(this, 'WorkerQueueUrl', { value: this.workQueue.queue.queueUrl });
    new CfnOutput(this, 'GoogleKeySecretArn', { value: this.googleKey.secretArn });
    new CfnOutput(this, 'TablePrefix', { value: s.tablePrefix });
    new CfnOutput(this, 'ApplyEnabled', { value: String(s.apply) });
    if (this.eventBus) new CfnOutput(this, 'EventBusArn', { value: this.eventBus.bus.eventBusArn });
  }

  /**
   * The bus the IdC account (IdC user events) and the QuickSight account (QuickSight activity)
   * forward to, when either is not the stack's own (infra/stacks/identity-center-layout.ts).
   */
  private crossAccountBus(s: IdsyncSettings): CrossAccountBus {
    const accept = [
      ...(identityCenterElsewhere(s) && s.identityCenterAccountId !== s.account
        ? [
            {
              sid: 'IdentityCenterUserEvents',
              account: s.identityCenterAccountId,
              sources: IDC_EVENTBRIDGE_SOURCES,
            },
          ]
        : []),
      // Each QuickSight account other than the stack's (the home one keeps its statement id).
      ...quickSightAccountsElsewhere(s).map((account) => ({
        sid:
          account === s.quickSightAccountId
            ? 'QuickSightActivityEvents'
            : `QuickSightActivityEvents${account}`,
        account,
        sources: [QUICKSIGHT_EVENTBRIDGE_SOURCE],
      })),
    ];
    return new CrossAccountBus(this, 'EventBus', { eventBusName: idsyncBusName(s), accept });
  }

  private grantAccess(s: IdsyncSettings): void {
    // Every namespace idsync manages in the home account (IDSYNC_QUICKSIGHT_ACCOUNTS may list several).
    const quickSight = {
      accountId: s.quickSightAccountId,
      region: s.quickSightRegion,
      namespace: namespacesOf(s, s.quickSightAccountId),
    };
    const identityStore = { accountId: s.account, identityStoreId: s.identityStoreId };
    // IdC elsewhere: the IdentityStore calls go through the reader role there, nothing direct.
    const directIdentityStore = !identityCenterElsewhere(s);
    // QuickSight elsewhere: its calls (and its account's CloudTrail) go through the operator role.
    const directQuickSight = !quickSightElsewhere(s);
    const roles = {
      ...quickSightEnvironment(s),
      ...s.environment,
      ...identityCenterEnvironment(s),
    };
    for (const [job, f] of Object.entries(this.functions) as Array<[Job, IdsyncFunction]>) {
      const access = TABLE_ACCESS[job];
      for (const t of access.read) this.tables.grantRead(t, f.role);
      for (const t of access.readWrite) this.tables.grantReadWrite(t, f.role);
      this.tables.grantAuditAppend(f.role);
      const assume = assumeRoleStatement(job, roles);
      if (assume) f.role.addToPolicy(assume);
    }
    const { snapshot, plan, worker, events, activity } = this.functions;
    if (activity && directQuickSight) activity.role.addToPolicy(cloudTrailLookupEvents());
    if (snapshot) {
      this.googleKey.grantRead(snapshot.role);
      if (directQuickSight) snapshot.role.addToPolicy(quickSightListUsers(quickSight));
      if (directIdentityStore) snapshot.role.addToPolicy(identityStoreListUsers(identityStore));
    }
    if (worker) {
      // Group writes on: leave_group tasks call Google with the key (services/worker/google-handler.ts).
      if (googleGroupWrites(s)) this.googleKey.grantRead(worker.role);
      if (directQuickSight) {
        // Deletions and change_role tasks (role follows group, idle Authors made Readers).
        worker.role.addToPolicy(quickSightChangeUsers(quickSight));
        // Before a deletion: the user's assets go to the successor (services/removals/handover/).
        worker.role.addToPolicy(quickSightAssetHandover(quickSight));
      }
    }
    if (events && directIdentityStore)
      events.role.addToPolicy(identityStoreDescribeUser(identityStore));
    for (const producer of [plan, events]) {
      if (producer) this.workQueue.queue.grantSendMessages(producer.role);
    }
    if (plan) this.operators.grantPublish(plan.role);
  }

  /**
   * The monthly review (infra/constructs/review.ts) on the review function, and the approval
   * function an operator runs from the console: the review's tables, the worker queue, and the
   * answer to the state machine's approval wait.
   */
  private addReview(
    s: IdsyncSettings,
    props: IdsyncStackProps,
    inputs: Parameters<typeof jobEnvironment>[1],
  ): void {
    const { review } = this.functions;
    if (!review) return;
    this.review = new MonthlyReview(this, 'Review', {
      handler: review.fn,
      approvalDays: s.reviewApprovalDays,
      schedule: s.reviewSchedule,
    });
    const approval = new IdsyncFunction(this, 'ReviewApprovalFunction', {
      job: 'review',
      entry: props.approvalEntry ?? join(REPO_ROOT, 'services', 'review', 'approval-handler.ts'),
      environment: jobEnvironment('review', inputs),
      timeout: Duration.minutes(1),
      ...(props.bundling ? { bundling: props.bundling } : {}),
    });
    this.approval = approval;
    for (const t of ['tasks', 'reviews'] as const) this.tables.grantReadWrite(t, approval.role);
    this.tables.grantAuditAppend(approval.role);
    this.review.grantApproval(approval.role);
    this.workQueue.queue.grantSendMessages(approval.role);
    this.workQueue.queue.grantSendMessages(review.role);
    // The review's reports (put, and read back for the pre-signed link it signs) and summaries;
    // the approval function tells the operators of a rejection.
    this.operators.grantReports(review.role, RUN_REPORTS_PREFIX);
    this.operators.grantPublish(review.role);
    this.operators.grantPublish(approval.role);
    // Notices to users (context noticeFrom): SES v2 SendEmail from that identity only.
    if (s.noticeFrom)
      for (const st of sesSendNotices({
        accountId: s.account,
        region: s.region,
        from: s.noticeFrom,
      }))
        review.role.addToPolicy(st);
    new CfnOutput(this, 'ReviewStateMachineName', {
      value: this.review.stateMachine.stateMachineName,
    });
    new CfnOutput(this, 'ReviewApprovalFunctionName', { value: approval.fn.functionName });
  }

  private wire(s: IdsyncSettings, props: IdsyncStackProps): void {
    const { snapshot, plan, worker, events, activity } = this.functions;
    if (snapshot) {
      new ReconcileSchedule(this, 'Schedule', {
        snapshot: snapshot.fn,
        ...(plan ? { plan: plan.fn } : {}),
        rate: Duration.minutes(s.scheduleMinutes),
      });
    }
    if (worker) {
      this.workQueue.attachConsumer(worker.fn, {
        ...(props.workerBatchSize ? { batchSize: props.workerBatchSize } : {}),
      });
    }
    if (events) {
      new IdcUserEventsRule(this, 'IdcUserEvents', {
        handler: events.fn,
        account: s.identityCenterAccountId,
        failures: this.failedEvents,
        ...(identityCenterElsewhere(s) && this.eventBus ? { eventBus: this.eventBus.bus } : {}),
      });
    }
    // Every alarm notifies the operator topic; an operator-supplied topic too, when given.
    const topics: sns.ITopic[] = [
      this.operators.topic,
      ...(s.alarmTopicArn ? [sns.Topic.fromTopicArn(this, 'AlarmTopic', s.alarmTopicArn)] : []),
    ];
    if (activity) {
      // The further QuickSight accounts (IDSYNC_QUICKSIGHT_ACCOUNTS): the stack's own account on
      // its default bus, the others on the stack's bus (forwarded by their companions).
      const others = quickSightAccounts(s).filter((a) => a !== s.quickSightAccountId);
      const further = [
        { accounts: others.filter((a) => a === s.account) },
        {
          accounts: others.filter((a) => a !== s.account),
          ...(this.eventBus ? { eventBus: this.eventBus.bus } : {}),
        },
      ].filter((lane) => lane.accounts.length > 0);
      new ActivityCapture(this, 'Activity', {
        handler: activity.fn,
        quickSightAccountId: s.quickSightAccountId,
        ...(quickSightElsewhere(s) && this.eventBus ? { eventBus: this.eventBus.bus } : {}),
        ...(further.length > 0 ? { furtherAccounts: further } : {}),
        deployment: s.tablePrefix,
        topics,
      });
    }
    new IdsyncAlarms(this, 'Alarms', {
      deployment: s.tablePrefix,
      workerDeadLetters: this.workQueue.deadLetterQueue,
      ...(events ? { failedEvents: this.failedEvents } : {}),
      functions: Object.fromEntries(Object.entries(this.functions).map(([job, f]) => [job, f.fn])),
      topics,
      heldTasksPeriod: Duration.minutes(s.scheduleMinutes),
    });
    new CfnOutput(this, 'OperatorTopicArn', { value: this.operators.topic.topicArn });
    new CfnOutput(this, 'ReportsBucketName', { value: this.operators.reports.bucketName });
  }
}

/**
 * The worker's entry: with group writes on, the default handler is swapped for
 * services/worker/google-handler.ts (the same worker with the Google member writer; the default
 * bundle carries no Google client). A caller's own entry (tests' fixtures) is kept.
 */
export function workerEntry(entry: string | undefined, groupWrites: boolean): string | undefined {
  if (!groupWrites || entry !== defaultEntry('worker')) return entry;
  return join(REPO_ROOT, 'services', 'worker', 'google-handler.ts');
}
