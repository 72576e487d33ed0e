import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  IDSYNC_METRICS,
  METRIC_DIMENSION,
  METRIC_NAMESPACE,
  type MetricName,
} from '../../shared/metrics.js';
import { releaseCommand } from '../../shared/release-command.js';
import { type Job, jobLabel } from './idsync-function.js';

export interface IdsyncAlarmsProps {
  /** Value of the `Deployment` dimension: the table prefix. */
  readonly deployment: string;
  /** The worker's dead-letter queue. */
  readonly workerDeadLetters: sqs.IQueue;
  /** Event handler invocations that failed after their retries. @default none */
  readonly failedEvents?: sqs.IQueue;
  /** The deployed functions (an Errors alarm each). */
  readonly functions: Partial<Record<Job, lambda.IFunction>>;
  /** Notified when an alarm fires (the stack passes its operator topic). @default none */
  readonly topics?: readonly sns.ITopic[];
  /** Alarm period. @default 5 minutes */
  readonly period?: Duration;
  /**
   * Period of the HeldTasks alarm (its metric comes once per plan run): the schedule's interval.
   * @default 1 hour
   */
  readonly heldTasksPeriod?: Duration;
}

/** What each custom-metric alarm tells the operator to do. */
const METRIC_ALARMS: Record<MetricName, string> = {
  FailedItems:
    'Some QuickSight deletions failed after every retry (tasks left FAILED; the next run retries them). ' +
    'Look in the worker log group for the error of each task, or run `idsync audit --since <alarm time>`. ' +
    'AccessDeniedException: check the worker role QuickSight statement (account, namespace, identity region). ' +
    'ThrottlingException only: lower IDSYNC_RATE / IDSYNC_CONCURRENCY via the stack context `environment` and redeploy.',
  GuardTripped:
    'Either a plan wanted to delete more QuickSight users than IDSYNC_MAX_DELETIONS / IDSYNC_MAX_DELETION_PERCENT allow ' +
    '(it deleted NOTHING), or all runs together used up the guard window (IDSYNC_MAX_DELETIONS within ' +
    'IDSYNC_GUARD_WINDOW_HOURS) and further deletions were kept as BLOCKED tasks. Check whether a Google group was emptied, ' +
    'renamed or mistyped, or a sync deleted IdC users in bulk (`idsync audit --since <alarm time>` lists the decisions and ' +
    'blocked outcomes). If the deletions are right, release the BLOCKED tasks once by hand with ' +
    `\`${releaseCommand()}\`, or raise the limits in the stack context \`environment\` and redeploy.`,
  HeldTasks:
    'Removals wait for an operator and will not run by themselves: a leaver keeps their seat until then. ' +
    'Run `idsync status`: it lists the held tasks (blocked by the guard window, held by a tripped guard, awaiting the ' +
    'review approval), their age and the exact next command. If the deletions are right, release them with ' +
    `\`${releaseCommand()}\` (N = the count shown); if not, fix the cause (a group emptied or renamed) and the next plan ` +
    'cancels the tasks of people who are members again.',
  PartialSnapshot:
    'A snapshot could not read every page of Google, IAM Identity Center or QuickSight; no decision is made from it ' +
    'and the previous COMPLETE snapshot stays in force. The reason is in the snapshot function log ("snapshot PARTIAL"). ' +
    'Google auth errors: put a valid service-account key JSON in the Google key secret and check domain-wide delegation ' +
    'for the subject. Throttling: it usually clears by the next cycle. Repeated alarms mean leavers are not removed.',
  UnresolvedEvents:
    'A DeleteUser event named an IdC user id the identity map does not know (created and deleted between two snapshots, ' +
    'or its CreateUser event was missed), so nobody was deleted for it. Find the event with `idsync audit --since <alarm time>` ' +
    '(kind event) and `idsync resolve <userId>`; if you know who it was, remove their QuickSight user with `idsync remove --csv`.',
};

const JOB_ERRORS: Record<Job, string> = {
  snapshot:
    'The snapshot function failed (not a PARTIAL snapshot: it threw). Open its log group: a ConfigError names the ' +
    'variable or context key to fix; "Google key" errors mean the secret does not hold a service-account JSON key. Redeploy or fix the secret; the next scheduled cycle retries.',
  plan: 'The plan function failed; nothing was queued for deletion this cycle. Open its log group for the error; the next cycle retries (the plan is level-triggered, nothing is lost).',
  worker:
    'The worker function failed on a batch; its messages return to the queue and are retried, then dead-lettered. Open its log group for the error.',
  events:
    'The event handler failed on a CloudTrail event; after its retries the event lands in the failed-events queue. Open its log group for the error.',
  activity:
    'The activity function failed (a scheduled activity sync or a live QuickSight event). Open its log group for the error: a sync resumes from its cursor on the next schedule, and a missed live event is read again by that sync.',
  review:
    'A step of the monthly review failed (Step Functions shows which: open the execution in the console). Nothing is deleted before approval; open the review function log group for the error, then start a new execution with {} (a review that was waiting keeps waiting).',
};

/**
 * The operator's alarms: the dead-letter queues are not empty, the custom metrics of
 * shared/metrics.ts (failed items, guard tripped, tasks held over an hour, PARTIAL snapshot,
 * unresolved DeleteUser event) are above 0, or a function threw. Each description says what
 * happened and what to do; each notifies the operator topic.
 */
export class IdsyncAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: IdsyncAlarmsProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    const add = (alarmId: string, metric: cloudwatch.IMetric, description: string) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      for (const topic of props.topics ?? []) alarm.addAlarmAction(new actions.SnsAction(topic));
      this.alarms.push(alarm);
    };

    add(
      'WorkerDeadLettersNotEmpty',
      props.workerDeadLetters.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: 'Maximum',
      }),
      'Deletion messages reached the worker dead-letter queue after 5 deliveries: the worker crashed or timed out on them. ' +
        '1) Read the worker log group near the alarm time and fix the cause. 2) Redrive: SQS console, the dead-letter queue, ' +
        '"Start DLQ redrive" to the source queue. Tasks are durable rows claimed with a lease, so a redrive never deletes twice.',
    );
    if (props.failedEvents) {
      add(
        'FailedEventsNotEmpty',
        props.failedEvents.metricApproximateNumberOfMessagesVisible({
          period,
          statistic: 'Maximum',
        }),
        'CloudTrail IdC user events failed in the event handler after every retry and were parked here. ' +
          'Read the event handler log group, fix the cause, then replay the parked events: save each message body and run ' +
          '`idsync handle-event FILE --apply` (the events table deduplicates by eventID, so a replay is safe).',
      );
    }
    for (const name of Object.keys(METRIC_ALARMS) as MetricName[]) {
      // HeldTasks is a level (tasks held now, for over an hour), not a count of events.
      const level = name === 'HeldTasks';
      add(
        name,
        new cloudwatch.Metric({
          namespace: METRIC_NAMESPACE,
          metricName: name,
          dimensionsMap: { [METRIC_DIMENSION]: props.deployment },
          statistic: level ? 'Maximum' : 'Sum',
          period: level ? (props.heldTasksPeriod ?? Duration.hours(1)) : period,
        }),
        `${IDSYNC_METRICS[name].meaning}. ${METRIC_ALARMS[name]}`,
      );
    }
    for (const [job, fn] of Object.entries(props.functions) as Array<[Job, lambda.IFunction]>) {
      add(`${jobLabel(job)}Errors`, fn.metricErrors({ period, statistic: 'Sum' }), JOB_ERRORS[job]);
    }
  }
}
