import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { REJECTED_ERROR } from '../../shared/review.js';

/** The monthly review's default schedule: 09:00 UTC on the 1st of every month. */
export const DEFAULT_REVIEW_SCHEDULE = 'cron(0 9 1 * ? *)';

/** The state names an operator sees in the console (and the ASL test overrides). */
export const REVIEW_STATES = {
  check: 'Check activity record',
  plan: 'Plan idle users and held leavers',
  announce: 'Report and notify operators',
  await: 'Wait for approval',
  release: 'Release approved tasks',
  reject: 'Cancel rejected review',
  expire: 'Cancel expired review',
  wait: 'Wait for the worker',
  progress: 'Check the worker',
  finish: 'Final report and summary',
} as const;

export interface MonthlyReviewProps {
  /** The review function: every Task state invokes it with `{"step": …, "runId": …}`. */
  readonly handler: lambda.IFunction;
  /** Days the approval waits before the review expires (IDSYNC_REVIEW_APPROVAL_DAYS). @default 7 */
  readonly approvalDays?: number;
  /** EventBridge Scheduler expression that starts a review. @default DEFAULT_REVIEW_SCHEDULE */
  readonly schedule?: string;
  /** Time between two looks at the released tasks. @default 5 minutes */
  readonly pollInterval?: Duration;
}

/**
 * The monthly idle review as a Step Functions Standard workflow (services/review/ runs each
 * step): check the activity record → plan the idle users and the held leavers as tasks
 * AWAITING_APPROVAL → report and notify the operators → wait for approval (`.waitForTaskToken`:
 * the review function stores the token with the review; on timeout or rejection the tasks are
 * cancelled, nobody is deleted) → release the tasks to the worker queue → wait until they are
 * settled → final report and summary. EventBridge Scheduler starts it monthly; an operator can
 * start it from the console with `{}`. The execution name is the review's run id.
 */
export class MonthlyReview extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: MonthlyReviewProps) {
    super(scope, id);
    const approvalDays = props.approvalDays ?? 7;
    const runId = sfn.JsonPath.stringAt('$$.Execution.Name');
    const step = (name: keyof typeof REVIEW_STATES, resultPath?: string) =>
      new tasks.LambdaInvoke(this, name, {
        stateName: REVIEW_STATES[name],
        lambdaFunction: props.handler,
        payload: sfn.TaskInput.fromObject({ step: name === 'release' ? 'release' : name, runId }),
        payloadResponseOnly: true,
        resultPath: resultPath ?? sfn.JsonPath.DISCARD,
      });

    const check = step('check', '$.check');
    const plan = step('plan', '$.plan');
    const announce = step('announce', '$.announce');
    const awaitApproval = new tasks.LambdaInvoke(this, 'await', {
      stateName: REVIEW_STATES.await,
      lambdaFunction: props.handler,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        step: 'await',
        runId,
        taskToken: sfn.JsonPath.taskToken,
      }),
      taskTimeout: sfn.Timeout.duration(Duration.days(approvalDays)),
      resultPath: '$.approval',
    });
    const release = step('release', '$.release');
    const reject = step('reject', '$.cancelled');
    const expire = step('expire', '$.cancelled');
    const wait = new sfn.Wait(this, 'wait', {
      stateName: REVIEW_STATES.wait,
      time: sfn.WaitTime.duration(props.pollInterval ?? Duration.minutes(5)),
    });
    const progress = step('progress', '$.progress');
    const finish = step('finish', '$.finish');

    const stopped = new sfn.Fail(this, 'Stopped', {
      stateName: 'Stopped: activity record not ready',
      error: 'ReviewStopped',
      causePath: '$.check.reason',
    });
    awaitApproval.addCatch(expire, {
      errors: [sfn.Errors.TIMEOUT, 'States.HeartbeatTimeout'],
      resultPath: '$.error',
    });
    awaitApproval.addCatch(reject, { errors: [REJECTED_ERROR], resultPath: '$.error' });
    reject.next(new sfn.Succeed(this, 'Rejected', { stateName: 'Rejected: nobody deleted' }));
    expire.next(new sfn.Succeed(this, 'Expired', { stateName: 'Expired: nobody deleted' }));

    const definition = check.next(
      new sfn.Choice(this, 'CoverageOk', { stateName: 'Activity record covers the window?' })
        .when(
          sfn.Condition.booleanEquals('$.check.ok', true),
          plan.next(announce).next(
            new sfn.Choice(this, 'Awaiting', { stateName: 'Anything to approve?' })
              .when(
                sfn.Condition.stringEquals('$.plan.status', 'AWAITING'),
                awaitApproval
                  .next(release)
                  .next(wait)
                  .next(progress)
                  .next(
                    new sfn.Choice(this, 'Settled', { stateName: 'All released tasks settled?' })
                      .when(
                        sfn.Condition.booleanEquals('$.progress.settled', true),
                        finish.next(new sfn.Succeed(this, 'Done', { stateName: 'Done' })),
                      )
                      .otherwise(wait),
                  ),
              )
              .otherwise(new sfn.Succeed(this, 'Nothing', { stateName: 'Nothing to approve' })),
          ),
        )
        .otherwise(stopped),
    );

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment:
        'idsync monthly idle review: plan, approve (run the approval function with the input from the notice), delete, report',
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'idsync: the monthly idle review',
      schedule: scheduler.ScheduleExpression.expression(props.schedule ?? DEFAULT_REVIEW_SCHEDULE),
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({}),
      }),
    });
  }

  /** Lets `grantee` answer the approval wait (SendTaskSuccess / SendTaskFailure). */
  grantApproval(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantTaskResponse(grantee);
  }
}
