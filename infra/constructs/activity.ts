import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ACTIVITY_LAG_METRIC, MAX_ACTIVITY_LAG_HOURS } from '../../shared/activity-lag-metric.js';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  QUICKSIGHT_EVENT_SOURCE,
  QUICKSIGHT_EVENTBRIDGE_SOURCE,
} from '../../shared/event-sources.js';
import { METRIC_DIMENSION, METRIC_NAMESPACE } from '../../shared/metrics.js';

/**
 * Activity capture in AWS (services/activity/handler.ts):
 * - a rule for QuickSight's CloudTrail events with the state
 *   `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`: without it EventBridge delivers only
 *   mutating management events, and viewing a dashboard (GetDashboard, a read-only call) never
 *   arrives. The L2 `events.Rule` only knows ENABLED/DISABLED, so the state is set on CfnRule;
 * - a schedule for `activity sync` (LookupEvents from the stored cursor), the safety net for
 *   live events that were missed or arrived while the function failed;
 * - an alarm when the CloudTrail span the record has read ends more than a day ago (metric
 *   `ActivityLagHours`, emitted by every scheduled sync; no data counts as behind).
 */

/** The CfnRule state that lets read-only CloudTrail management events reach a rule. */
export const READ_ONLY_EVENTS_STATE = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/**
 * QuickSight's CloudTrail events of `account`: the live rule's pattern, and the QuickSight
 * companion's forwarding rule's (infra/stacks/quicksight-companion-stack.ts).
 */
export function quickSightEventPattern(accounts: string | readonly string[]): events.EventPattern {
  return {
    source: [QUICKSIGHT_EVENTBRIDGE_SOURCE],
    detailType: [CLOUDTRAIL_DETAIL_TYPE],
    account: [accounts].flat(),
    detail: { eventSource: [QUICKSIGHT_EVENT_SOURCE] },
  };
}

/** QuickSight accounts whose events arrive on one bus. */
export interface QuickSightEventLane {
  readonly accounts: readonly string[];
  /** The stack's own bus (forwarded by the QuickSight companions). @default the default bus */
  readonly eventBus?: events.IEventBus;
}

export interface ActivityCaptureProps {
  readonly handler: lambda.IFunction;
  /** Account whose QuickSight events are accepted (events of other accounts keep `aws.*`). */
  readonly quickSightAccountId: string;
  /**
   * The bus QuickSight's events arrive on: the stack's own bus when QuickSight is in another
   * account (forwarded there by a rule in that account). @default the account's default bus
   */
  readonly eventBus?: events.IEventBus;
  /**
   * Further QuickSight accounts (IDSYNC_QUICKSIGHT_ACCOUNTS), each lane on the bus its events
   * arrive on: one more live rule per lane. @default none
   */
  readonly furtherAccounts?: readonly QuickSightEventLane[];
  /** Value of the metric's `Deployment` dimension: the table prefix. */
  readonly deployment: string;
  /** Time between two `activity sync` runs. @default 1 hour */
  readonly syncRate?: Duration;
  /** Notified when the lag alarm fires. @default none */
  readonly topics?: readonly sns.ITopic[];
}

export class ActivityCapture extends Construct {
  readonly liveRule: events.Rule;
  /** The live rules of `furtherAccounts`, one per lane. */
  readonly furtherRules: events.Rule[];
  readonly syncSchedule: events.Rule;
  readonly lagAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ActivityCaptureProps) {
    super(scope, id);
    const live = (id: string, lane: QuickSightEventLane) => {
      const rule = new events.Rule(this, id, {
        description:
          'idsync: QuickSight CloudTrail events, read-only ones included → activity record',
        ...(lane.eventBus ? { eventBus: lane.eventBus } : {}),
        eventPattern: quickSightEventPattern(lane.accounts),
        // A missed live event is caught by the next scheduled sync: a few retries are enough.
        targets: [
          new targets.LambdaFunction(props.handler, {
            retryAttempts: 2,
            maxEventAge: Duration.hours(1),
          }),
        ],
      });
      (rule.node.defaultChild as events.CfnRule).state = READ_ONLY_EVENTS_STATE;
      return rule;
    };
    this.liveRule = live('QuickSightEvents', {
      accounts: [props.quickSightAccountId],
      ...(props.eventBus ? { eventBus: props.eventBus } : {}),
    });
    this.furtherRules = (props.furtherAccounts ?? []).map((lane, i) =>
      live(`FurtherQuickSightEvents${i + 1}`, lane),
    );

    const rate = props.syncRate ?? Duration.hours(1);
    this.syncSchedule = new events.Rule(this, 'SyncSchedule', {
      description: 'idsync: activity sync (CloudTrail LookupEvents from the stored cursor)',
      schedule: events.Schedule.rate(rate),
      targets: [
        new targets.LambdaFunction(props.handler, {
          retryAttempts: 0,
          maxEventAge: Duration.minutes(30),
        }),
      ],
    });

    this.lagAlarm = new cloudwatch.Alarm(this, 'ActivityLag', {
      alarmDescription:
        `The activity record's CloudTrail span ends more than ${MAX_ACTIVITY_LAG_HOURS} hours ago (or no scheduled sync reported): ` +
        '`idsync inactive` refuses to judge idle users on a stale record. Open the activity function log group ' +
        '("activity sync" lines): AccessDenied means the role lost cloudtrail:LookupEvents; ThrottlingException means ' +
        "another tool spends the account's 2 LookupEvents calls a second; a timeout resumes from the cursor by itself. " +
        'Run `idsync activity sync` by hand to catch up.',
      metric: new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName: ACTIVITY_LAG_METRIC,
        dimensionsMap: { [METRIC_DIMENSION]: props.deployment },
        statistic: 'Minimum',
        period: Duration.hours(1),
      }),
      threshold: MAX_ACTIVITY_LAG_HOURS,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    for (const topic of props.topics ?? [])
      this.lagAlarm.addAlarmAction(new actions.SnsAction(topic));
  }
}
