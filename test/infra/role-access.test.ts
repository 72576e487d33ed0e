import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { JOBS, type Job } from '../../infra/constructs/idsync-function.js';
import type { IdsyncStack } from '../../infra/stacks/idsync-stack.js';
import { assumeRoleStatement } from '../../infra/stacks/role-access.js';
import { fixtureStack } from './fixture-stack.js';

/** Roles in other accounts: the role ARNs reach the functions, each job may assume only its own. */

const QS = 'arn:aws:iam::111111111111:role/idsync-quicksight';
const IDC = 'arn:aws:iam::222222222222:role/idsync-identitystore';
const CT = 'arn:aws:iam::111111111111:role/idsync-cloudtrail';

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

function assumeStatements(
  stack: IdsyncStack,
  template: ReturnType<typeof fixtureStack>['template'],
) {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  return Object.fromEntries(
    JOBS.map((job) => {
      const role = stack.getLogicalId(stack.functions[job]?.role.node.defaultChild as never);
      const statements: Statement[] = policies
        .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
      return [job, statements.filter((s) => [s.Action].flat().includes('sts:AssumeRole'))];
    }),
  ) as Record<Job, Statement[]>;
}

describe('roles in other accounts (infra)', () => {
  it('passes the role ARNs to every function and grants sts:AssumeRole on exactly each job’s own', () => {
    const { stack, template } = fixtureStack({
      environment: {
        IDSYNC_QUICKSIGHT_ROLE_ARN: QS,
        IDSYNC_IDENTITYSTORE_ROLE_ARN: IDC,
        IDSYNC_CLOUDTRAIL_ROLE_ARN: CT,
        IDSYNC_ROLE_EXTERNAL_ID: 'agreed-id',
      },
    });
    const byJob = assumeStatements(stack, template);
    const resources = (job: Job) => byJob[job].flatMap((s) => [s.Resource].flat());
    expect(resources('snapshot').sort()).toEqual([IDC, QS].sort());
    expect(resources('worker')).toEqual([QS]);
    expect(resources('events')).toEqual([IDC]);
    expect(resources('activity')).toEqual([CT]);
    expect(resources('plan')).toEqual([]);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      const env = fn.Properties.Environment?.Variables ?? {};
      if (!env.IDSYNC_TABLE_PREFIX) continue;
      expect(env).toMatchObject({
        IDSYNC_QUICKSIGHT_ROLE_ARN: QS,
        IDSYNC_IDENTITYSTORE_ROLE_ARN: IDC,
        IDSYNC_CLOUDTRAIL_ROLE_ARN: CT,
        IDSYNC_ROLE_EXTERNAL_ID: 'agreed-id',
      });
    }
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('grants no sts:AssumeRole when no role is given, or none of the job’s services has one', () => {
    for (const job of JOBS) expect(assumeRoleStatement(job, {})).toBeUndefined();
    expect(assumeRoleStatement('activity', { IDSYNC_QUICKSIGHT_ROLE_ARN: QS })).toBeUndefined();
    expect(assumeRoleStatement('plan', { IDSYNC_QUICKSIGHT_ROLE_ARN: QS })).toBeUndefined();
  });

  it('lets only the QuickSight and activity jobs assume the roles IDSYNC_QUICKSIGHT_ACCOUNTS names, cdk-nag clean', () => {
    const second = 'arn:aws:iam::333333333333:role/idsync-quicksight';
    const accounts = `111111111111:default:sales,333333333333:default@${second}`;
    const { stack, template } = fixtureStack({
      environment: { IDSYNC_QUICKSIGHT_ROLE_ARN: QS, IDSYNC_QUICKSIGHT_ACCOUNTS: accounts },
    });
    const byJob = assumeStatements(stack, template);
    const resources = (job: Job) => byJob[job].flatMap((s) => [s.Resource].flat());
    expect(resources('snapshot').sort()).toEqual([QS, second].sort());
    expect(resources('worker').sort()).toEqual([QS, second].sort());
    expect(resources('activity').sort()).toEqual([second]);
    for (const job of ['plan', 'events'] as const) expect(resources(job)).toEqual([]);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      const env = fn.Properties.Environment?.Variables ?? {};
      if (env.IDSYNC_TABLE_PREFIX) expect(env.IDSYNC_QUICKSIGHT_ACCOUNTS).toBe(accounts);
    }
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('refuses a malformed IDSYNC_QUICKSIGHT_ACCOUNTS at synth, naming the variable', () => {
    expect(() =>
      fixtureStack({
        environment: {
          IDSYNC_QUICKSIGHT_ACCOUNTS: '333333333333@arn:aws:iam::444444444444:role/x',
        },
      }),
    ).toThrow(/IDSYNC_QUICKSIGHT_ACCOUNTS/);
  });

  it("lets the activity function assume the QuickSight accounts' roles, exactly those", () => {
    const B = 'arn:aws:iam::333333333333:role/idsync-b';
    const environment = {
      IDSYNC_CLOUDTRAIL_ROLE_ARN: CT,
      IDSYNC_QUICKSIGHT_ACCOUNTS: `111111111111,333333333333:default:sales@${B}`,
    };
    expect(assumeRoleStatement('activity', environment)?.resources).toEqual([CT, B].sort());
    expect(assumeRoleStatement('plan', environment)).toBeUndefined();
  });

  it('refuses a malformed role ARN at synth, naming the variable', () => {
    expect(() =>
      fixtureStack({ environment: { IDSYNC_QUICKSIGHT_ROLE_ARN: 'arn:aws:iam::1:role/x' } }),
    ).toThrow(/IDSYNC_QUICKSIGHT_ROLE_ARN/);
  });
});
