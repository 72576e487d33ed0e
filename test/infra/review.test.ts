import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REVIEW_SCHEDULE, REVIEW_STATES } from '../../infra/constructs/review.js';
import type { IdsyncStack } from '../../infra/stacks/idsync-stack.js';
import { REJECTED_ERROR } from '../../shared/review.js';
import { fixtureStack } from './fixture-stack.js';
import { reviewDefinition } from './review-definition.js';

describe('the monthly review in the stack', () => {
  let stack: IdsyncStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = fixtureStack({
      reviewSchedule: 'cron(0 6 2 * ? *)',
      reviewApprovalDays: 5,
    }));
  });

  it('is a Standard state machine started monthly by EventBridge Scheduler with {}', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 6 2 * ? *)',
      Target: Match.objectLike({ Input: '{}' }),
    });
    expect(fixtureStack().template.findResources('AWS::Scheduler::Schedule')).toSatisfy(
      (r: Record<string, { Properties: { ScheduleExpression: string } }>) =>
        Object.values(r)[0]?.Properties.ScheduleExpression === DEFAULT_REVIEW_SCHEDULE,
    );
  });

  it('waits for approval with the task token, timing out after the approval days into a cancel', () => {
    const def = reviewDefinition(template);
    const wait = def.States[REVIEW_STATES.await];
    expect(wait.Resource).toMatch(/:lambda:invoke\.waitForTaskToken$/);
    expect(wait.Parameters.Payload).toMatchObject({
      step: 'await',
      'runId.$': '$$.Execution.Name',
      'taskToken.$': '$$.Task.Token',
    });
    expect(wait.TimeoutSeconds).toBe(5 * 86_400);
    const catches = wait.Catch.map((c: { ErrorEquals: string[]; Next: string }) => [
      c.ErrorEquals,
      c.Next,
    ]);
    expect(catches).toEqual([
      [['States.Timeout', 'States.HeartbeatTimeout'], REVIEW_STATES.expire],
      [[REJECTED_ERROR], REVIEW_STATES.reject],
    ]);
    expect(wait.Next).toBe(REVIEW_STATES.release);
    expect(def.StartAt).toBe(REVIEW_STATES.check);
  });

  it('gives the review function IDSYNC_REVIEW_APPROVAL_DAYS and the queue, and lets only the approval function answer the wait', () => {
    const fn = (id: string) =>
      template.findResources('AWS::Lambda::Function')[
        stack.getLogicalId(
          (id === 'review' ? stack.functions.review?.fn : stack.approval?.fn)?.node
            .defaultChild as never,
        )
      ] as { Properties: { Environment: { Variables: Record<string, string> } } };
    for (const id of ['review', 'approval']) {
      const vars = fn(id).Properties.Environment.Variables;
      expect(vars.IDSYNC_REVIEW_APPROVAL_DAYS).toBe('5');
      expect(vars.IDSYNC_WORKER_QUEUE_URL).toBeDefined();
    }
    const policies = template.findResources('AWS::IAM::Policy');
    const answering = Object.entries(policies).filter(([, p]) =>
      JSON.stringify(p).includes('states:SendTaskSuccess'),
    );
    expect(answering).toHaveLength(1);
    expect(JSON.stringify(answering[0]?.[1])).toContain(
      stack.getLogicalId(stack.approval?.role.node.defaultChild as never),
    );
  });
});
