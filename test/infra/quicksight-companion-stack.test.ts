import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { READ_ONLY_EVENTS_STATE } from '../../infra/constructs/activity.js';
import type { IdsyncStack } from '../../infra/stacks/idsync-stack.js';
import { QuickSightCompanionStack } from '../../infra/stacks/quicksight-companion-stack.js';
import { SettingsError } from '../../infra/stacks/settings.js';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  QUICKSIGHT_EVENT_SOURCE,
  QUICKSIGHT_EVENTBRIDGE_SOURCE,
} from '../../shared/event-sources.js';
import {
  appStack,
  BUS,
  companionOf,
  dropAcknowledgements,
  namedRoles,
  type Resource,
  STACK,
  statementsOf,
  synthApp,
} from './companion-helpers.js';

/**
 * The QuickSight companion stack (`-c companion=quicksight`), deployed in the QuickSight
 * account: the rule forwarding QuickSight's CloudTrail events to the idsync bus, and the operator
 * role idsync's snapshot, worker and activity functions assume there. Also the idsync stack's
 * side of that layout (role names, the role variables, no direct QuickSight statements).
 */

const QS = '333333333333';
const LAYOUT = {
  account: STACK,
  region: 'eu-west-1',
  quickSightAccountId: QS,
  quickSightRegion: 'us-east-1',
  namespace: 'readers',
  environment: { IDSYNC_ROLE_EXTERNAL_ID: 'idsync-agreed-id' },
};
const OPERATOR = `arn:aws:iam::${QS}:role/Idsync-quicksight-operator`;

function companion(context: Record<string, unknown> = LAYOUT) {
  return companionOf(
    context,
    (app, settings) =>
      new QuickSightCompanionStack(app, 'Companion', {
        env: { account: settings.quickSightAccountId, region: settings.quickSightRegion },
        settings,
      }),
  );
}

describe('the QuickSight companion stack', () => {
  let stack: QuickSightCompanionStack;
  let template: Template;
  const logicalId = (c: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(c.node.defaultChild as never);
  const operatorRole = () =>
    template.findResources('AWS::IAM::Role')[
      stack.getLogicalId(stack.operatorRole.node.defaultChild as never)
    ];

  beforeAll(() => {
    ({ stack, template } = companion());
  });

  it('forwards QuickSight’s CloudTrail events of its account, read-only ones included, to the idsync bus', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as Resource[];
    expect(rules).toHaveLength(1);
    const rule = rules[0]?.Properties;
    expect(rule.EventPattern).toEqual({
      source: [QUICKSIGHT_EVENTBRIDGE_SOURCE],
      'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
      account: [QS],
      detail: { eventSource: [QUICKSIGHT_EVENT_SOURCE] },
    });
    // Without this state a dashboard view (GetDashboard, read-only) never reaches the rule.
    expect(rule.State).toBe(READ_ONLY_EVENTS_STATE);
    expect(rule.Targets).toEqual([
      {
        Arn: BUS,
        Id: 'Target0',
        RoleArn: {
          'Fn::GetAtt': [stack.getLogicalId(stack.forwardRole.node.defaultChild as never), 'Arn'],
        },
      },
    ]);
    expect(statementsOf(template, logicalId(stack.forwardRole))).toEqual([
      { Action: 'events:PutEvents', Effect: 'Allow', Resource: BUS },
    ]);
  });

  it('gives idsync an operator role trusted by its snapshot, worker and activity roles with the external id', () => {
    const role = operatorRole();
    expect(role?.Properties.RoleName).toBe('Idsync-quicksight-operator');
    const [trust, ...others] = role?.Properties.AssumeRolePolicyDocument.Statement ?? [];
    expect(others).toEqual([]);
    expect(JSON.stringify(trust.Principal)).toContain(`:iam::${STACK}:root`);
    expect(trust.Condition).toEqual({
      StringEquals: { 'sts:ExternalId': 'idsync-agreed-id' },
      ArnEquals: {
        'aws:PrincipalArn': [
          `arn:aws:iam::${STACK}:role/Idsync-snapshot-eu-west-1`,
          `arn:aws:iam::${STACK}:role/Idsync-worker-eu-west-1`,
          `arn:aws:iam::${STACK}:role/Idsync-activity-eu-west-1`,
        ],
      },
    });
  });

  it('lets the operator role list, delete and change the namespace’s users, hand assets over and read CloudTrail, nothing else', () => {
    const statements = statementsOf(template, logicalId(stack.operatorRole));
    const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
    for (const a of [
      'quicksight:ListUsers',
      'quicksight:DeleteUser',
      'quicksight:DeleteUserByPrincipalId',
      'quicksight:UpdateUser',
      'quicksight:SearchDashboards',
      'quicksight:UpdateDashboardPermissions',
      'quicksight:DescribeUser',
      'cloudtrail:LookupEvents',
    ])
      expect(actions).toContain(a);
    expect(actions.filter((a) => /\*|DeleteDashboard|DeleteDataSet|RegisterUser/.test(a))).toEqual(
      [],
    );
    const users = JSON.stringify(statements.filter((s) => s.Sid?.includes('Users')));
    expect(users).toContain(`:quicksight:us-east-1:${QS}:user/readers/*`);
    // `*` only for LookupEvents, which has no resource type, alone in its statement.
    const star = statements.filter((s) => s.Resource === '*');
    expect(star.map((s) => s.Action)).toEqual(['cloudtrail:LookupEvents']);
  });

  it('passes cdk-nag, each acknowledgement with its reason, and the check is live', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    const { stack: bare } = companion();
    dropAcknowledgements(bare.operatorRole);
    const again = new AwsSolutionsChecks().validateScope(bare);
    expect(again.violations.map((v) => v.ruleName)).toContain('AwsSolutions-IAM5[Resource::*]');
  });

  it('refuses a layout with QuickSight in the stack’s account, and one without an external id', () => {
    expect(() => companion({ ...LAYOUT, quickSightAccountId: STACK })).toThrow(SettingsError);
    expect(() => companion({ ...LAYOUT, quickSightAccountId: STACK })).toThrow(
      /quickSightAccountId/,
    );
    expect(() => companion({ ...LAYOUT, environment: {} })).toThrow(/IDSYNC_ROLE_EXTERNAL_ID/);
  });
});

describe('the idsync stack with QuickSight in another account', () => {
  let stack: IdsyncStack;
  let template: Template;

  beforeAll(() => {
    stack = appStack(LAYOUT) as IdsyncStack;
    template = Template.fromStack(stack);
  });

  it('names the operator role for the QuickSight and CloudTrail clients, and the roles it trusts', () => {
    const vars = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (f) => f.Properties.Environment.Variables,
    );
    for (const v of vars) {
      expect(v.IDSYNC_QUICKSIGHT_ROLE_ARN).toBe(OPERATOR);
      expect(v.IDSYNC_CLOUDTRAIL_ROLE_ARN).toBe(OPERATOR);
    }
    expect(namedRoles(template)).toEqual([
      'Idsync-activity-eu-west-1',
      'Idsync-snapshot-eu-west-1',
      'Idsync-worker-eu-west-1',
    ]);
  });

  it('lets those jobs assume the operator role and call QuickSight and CloudTrail only through it', () => {
    for (const job of ['snapshot', 'worker', 'activity'] as const) {
      const role = stack.getLogicalId(stack.functions[job]?.role.node.defaultChild as never);
      const statements = statementsOf(template, role);
      const assume = statements.filter((s) => s.Action === 'sts:AssumeRole');
      expect(
        assume.map((s) => s.Resource),
        job,
      ).toEqual([OPERATOR]);
      const direct = statements.filter((s) =>
        [s.Action].flat().some((a: string) => /^(quicksight|cloudtrail):/.test(a)),
      );
      expect(direct, job).toEqual([]);
    }
  });

  it('synthesizes both stacks through the app, cdk-nag validating', () => {
    const idsync = synthApp(LAYOUT);
    expect(idsync.assembly.stacks.map((s) => s.stackName)).toEqual(['Idsync']);
    const { assembly } = synthApp({ ...LAYOUT, companion: 'quicksight' });
    expect(
      assembly.stacks.map((s) => [s.stackName, s.environment.account, s.environment.region]),
    ).toEqual([['Idsync-QuickSight', QS, 'us-east-1']]);
  });
});

describe('several QuickSight accounts (IDSYNC_QUICKSIGHT_ACCOUNTS): the stack and a companion per further account', () => {
  const FURTHER = '444444444444';
  const FURTHER_ROLE = `arn:aws:iam::${FURTHER}:role/Idsync-quicksight-operator`;
  const SEVERAL = {
    account: STACK,
    region: 'eu-west-1',
    quickSightRegion: 'eu-west-1',
    environment: {
      IDSYNC_ROLE_EXTERNAL_ID: 'idsync-agreed-id',
      IDSYNC_QUICKSIGHT_ACCOUNTS: `${STACK}:default:sales,${FURTHER}:analysts@${FURTHER_ROLE}`,
    },
  };

  it('accepts the further account’s QuickSight events on its bus, matches them there, and lists every home namespace', () => {
    const stack = appStack(SEVERAL) as IdsyncStack;
    const template = Template.fromStack(stack);
    const [policy] = Object.values(template.findResources('AWS::Events::EventBusPolicy'));
    expect(policy?.Properties.Statement.Sid).toBe(`cdk-QuickSightActivityEvents${FURTHER}`);
    expect(JSON.stringify(policy?.Properties.Statement.Principal)).toContain(
      `:iam::${FURTHER}:root`,
    );
    const live = (Object.values(template.findResources('AWS::Events::Rule')) as Resource[])
      .map((r) => r.Properties)
      .filter((p) => JSON.stringify(p.EventPattern?.source ?? []).includes('aws.quicksight'));
    // The home account's events on the default bus, the further account's on the stack's bus.
    expect(live.map((p) => [p.EventPattern.account, p.EventBusName === undefined])).toEqual([
      [[STACK], true],
      [[FURTHER], false],
    ]);
    const snapshot = stack.getLogicalId(stack.functions.snapshot?.role.node.defaultChild as never);
    const list = statementsOf(template, snapshot).find((s) => s.Action === 'quicksight:ListUsers');
    expect(JSON.stringify(list?.Resource)).toContain(`:${STACK}:user/default/*`);
    expect(JSON.stringify(list?.Resource)).toContain(`:${STACK}:user/sales/*`);
    const assume = statementsOf(template, snapshot).find((s) => s.Action === 'sts:AssumeRole');
    expect([assume?.Resource].flat()).toEqual([FURTHER_ROLE]);
    expect(namedRoles(template)).toEqual([
      'Idsync-activity-eu-west-1',
      'Idsync-snapshot-eu-west-1',
      'Idsync-worker-eu-west-1',
    ]);
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('synthesizes the further account’s companion with its namespaces and the role the list names', () => {
    const { assembly, stack } = synthApp({
      ...SEVERAL,
      companion: 'quicksight',
      companionAccountId: FURTHER,
    });
    expect(
      assembly.stacks.map((s) => [s.stackName, s.environment.account, s.environment.region]),
    ).toEqual([[`Idsync-QuickSight-${FURTHER}`, FURTHER, 'eu-west-1']]);
    const template = Template.fromStack(stack);
    const operator = stack.getLogicalId(
      (stack as QuickSightCompanionStack).operatorRole.node.defaultChild as never,
    );
    const users = JSON.stringify(
      statementsOf(template, operator).find((s) => s.Action === 'quicksight:ListUsers')?.Resource,
    );
    expect(users).toContain(`:${FURTHER}:user/analysts/*`);
    expect(users).not.toContain('user/default/*');
    expect(JSON.stringify(template.findResources('AWS::Events::Rule'))).toContain(
      `"account":["${FURTHER}"]`,
    );
  });

  it('refuses a companion for an account not listed, or whose listed role is another', () => {
    expect(() =>
      synthApp({ ...SEVERAL, companion: 'quicksight', companionAccountId: '555555555555' }),
    ).toThrow(/555555555555 is not a QuickSight account of this deployment/);
    const otherRole = {
      ...SEVERAL,
      environment: {
        ...SEVERAL.environment,
        IDSYNC_QUICKSIGHT_ACCOUNTS: `${STACK},${FURTHER}@arn:aws:iam::${FURTHER}:role/mine`,
      },
    };
    expect(() =>
      synthApp({ ...otherRole, companion: 'quicksight', companionAccountId: FURTHER }),
    ).toThrow(`${FURTHER}[:namespace…]@${FURTHER_ROLE}`);
  });
});
