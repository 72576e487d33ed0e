import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  IDC_EVENT_NAMES,
  IDC_EVENT_SOURCES,
  IDC_EVENTBRIDGE_SOURCES,
} from '../../shared/event-sources.js';

export { IDC_EVENT_NAMES, IDC_EVENT_SOURCES } from '../../shared/event-sources.js';

export interface ReconcileScheduleProps {
  readonly snapshot: lambda.IFunction;
  /** Runs after each successful snapshot. @default none (snapshot only) */
  readonly plan?: lambda.IFunction;
  /** Time between two cycles. @default 1 hour */
  readonly rate?: Duration;
}

/**
 * The hands-off cycle, without Step Functions: an EventBridge schedule invokes the snapshot
 * function asynchronously; the snapshot's on-success Lambda destination invokes the plan
 * function with the snapshot's result (`responsePayload` of the destination record). The plan
 * runs exactly once per successful snapshot invocation, however long the snapshot took — two
 * offset schedules could not promise that. A PARTIAL snapshot still returns normally (its
 * summary says PARTIAL): the plan is level-triggered and decides only from the newest COMPLETE
 * snapshot, and it still picks up pending DeleteUser events. A snapshot that throws is not
 * retried (the next cycle is the retry) and raises its Errors alarm.
 */
export class ReconcileSchedule extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ReconcileScheduleProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: 'idsync: snapshot, then plan (on the snapshot success destination)',
      schedule: events.Schedule.rate(props.rate ?? Duration.hours(1)),
      targets: [
        new targets.LambdaFunction(props.snapshot, {
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });
    props.snapshot.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.hours(1),
      ...(props.plan ? { onSuccess: new destinations.LambdaDestination(props.plan) } : {}),
    });
  }
}

/**
 * The IdC user events of `account`, as EventBridge matches them: the rule here and the companion
 * stack's forwarding rule in the IdC account (infra/stacks/identity-center-companion-stack.ts).
 */
export function idcUserEventPattern(account: string): events.EventPattern {
  return {
    source: [...IDC_EVENTBRIDGE_SOURCES],
    account: [account],
    detailType: [CLOUDTRAIL_DETAIL_TYPE],
    detail: {
      eventSource: [...IDC_EVENT_SOURCES],
      eventName: [...IDC_EVENT_NAMES],
    },
  };
}

export interface IdcUserEventsRuleProps {
  readonly handler: lambda.IFunction;
  /** Account of IAM Identity Center: events of other accounts are not routed. */
  readonly account: string;
  /** Where invocations that failed after Lambda's retries go. */
  readonly failures: sqs.IQueue;
  /**
   * The bus the events arrive on: the stack's own bus when IdC lives in another account or
   * region (the companion stack forwards them; infra/constructs/cross-account-bus.ts).
   * @default the account's default bus
   */
  readonly eventBus?: events.IEventBus;
}

/**
 * CloudTrail's IdC user events (`detail-type` "AWS API Call via CloudTrail") → the event handler.
 * Matched on the AWS `source` of each of the three services (`aws.<prefix of eventSource>`,
 * which no application can put), the configured account, and `detail.eventSource` /
 * `detail.eventName` from shared/event-sources.ts (the list the parser takes). EventBridge gets CloudTrail management events in the region of
 * the call: with IdC in the stack's account and region the rule is on the default bus; otherwise
 * the companion stack's rule in the IdC account and region forwards them to `eventBus`.
 * An invocation that still fails after 2 retries lands in `failures` (its own alarm): a
 * DeleteUser event is never silently lost.
 */
export class IdcUserEventsRule extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: IdcUserEventsRuleProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: `idsync: IdC ${IDC_EVENT_NAMES.join('/')} from CloudTrail`,
      ...(props.eventBus ? { eventBus: props.eventBus } : {}),
      eventPattern: idcUserEventPattern(props.account),
      targets: [
        new targets.LambdaFunction(props.handler, {
          retryAttempts: 4,
          maxEventAge: Duration.hours(2),
          deadLetterQueue: props.failures,
        }),
      ],
    });
    props.handler.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(props.failures),
    });
  }
}
