import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { addIdsyncStacks } from '../../infra/stacks/app-stacks.js';
import { IdentityCenterCompanionStack } from '../../infra/stacks/identity-center-companion-stack.js';
import { IdsyncStack } from '../../infra/stacks/idsync-stack.js';
import { SettingsError } from '../../infra/stacks/settings.js';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  IDC_EVENT_NAMES,
  IDC_EVENT_SOURCES,
  IDC_EVENTBRIDGE_SOURCES,
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
import { ALL_FIXTURES } from './fixture-stack.js';

/**
 * The IdC companion stack (`-c companion=identity-center`), deployed in the IAM Identity Center
 * account: the forwarding rule and its role, and the reader role idsync assumes. Also `cdk synth`
 * of each layout through the app's own stack selection, with cdk-nag validating as in app.ts.
 */

const IDC = '222222222222';
const LAYOUT = {
  account: STACK,
  region: 'eu-west-1',
  identityCenterAccountId: IDC,
  identityCenterRegion: 'us-east-1',
  identityStoreId: 'd-9067a1b2c3',
  environment: { IDSYNC_ROLE_EXTERNAL_ID: 'idsync-agreed-id' },
};

function companion(context: Record<string, unknown> = LAYOUT) {
  return companionOf(
    context,
    (app, settings) =>
      new IdentityCenterCompanionStack(app, 'Companion', {
        env: { account: settings.identityCenterAccountId, region: settings.identityCenterRegion },
        settings,
      }),
  );
}

describe('the IdC companion stack', () => {
  let stack: IdentityCenterCompanionStack;
  let template: Template;
  const logicalId = (c: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(c.node.defaultChild as never);

  beforeAll(() => {
    ({ stack, template } = companion());
  });

  it('forwards exactly the IdC user events of the IdC account to the idsync bus', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as Resource[];
    expect(rules).toHaveLength(1);
    const rule = rules[0]?.Properties;
    expect(rule.EventPattern).toEqual({
      source: [...IDC_EVENTBRIDGE_SOURCES],
      account: [IDC],
      'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
      detail: { eventSource: [...IDC_EVENT_SOURCES], eventName: [...IDC_EVENT_NAMES] },
    });
    expect(rule.EventBusName).toBeUndefined(); // CloudTrail's events arrive on the default bus
    expect(rule.Targets).toEqual([
      {
        Arn: BUS,
        Id: 'Target0',
        RoleArn: {
          'Fn::GetAtt': [stack.getLogicalId(stack.forwardRole.node.defaultChild as never), 'Arn'],
        },
      },
    ]);
  });

  it('lets the forwarding role put events on that one bus only, assumed by EventBridge of this account', () => {
    const role =
      template.findResources('AWS::IAM::Role')[
        stack.getLogicalId(stack.forwardRole.node.defaultChild as never)
      ];
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': IDC } },
      },
    ]);
    const statements = statementsOf(template, logicalId(stack.forwardRole));
    expect(statements).toEqual([{ Action: 'events:PutEvents', Effect: 'Allow', Resource: BUS }]);
  });

  it('gives idsync a read-only role on the one identity store, trusted by its snapshot and events roles with the external id', () => {
    const role =
      template.findResources('AWS::IAM::Role')[
        stack.getLogicalId(stack.readerRole.node.defaultChild as never)
      ];
    expect(role?.Properties.RoleName).toBe('Idsync-identity-center-reader');
    const [trust, ...others] = role?.Properties.AssumeRolePolicyDocument.Statement ?? [];
    expect(others).toEqual([]);
    expect(trust.Action).toBe('sts:AssumeRole');
    expect(JSON.stringify(trust.Principal)).toContain(`:iam::${STACK}:root`);
    expect(trust.Condition).toEqual({
      StringEquals: { 'sts:ExternalId': 'idsync-agreed-id' },
      ArnEquals: {
        'aws:PrincipalArn': [
          `arn:aws:iam::${STACK}:role/Idsync-snapshot-eu-west-1`,
          `arn:aws:iam::${STACK}:role/Idsync-events-eu-west-1`,
        ],
      },
    });
    const statements = statementsOf(template, logicalId(stack.readerRole));
    expect(statements.map((s) => s.Action).sort()).toEqual([
      'identitystore:DescribeUser',
      'identitystore:ListUsers',
    ]);
    const text = JSON.stringify(statements);
    expect(text).toContain(`:identitystore::${IDC}:identitystore/d-9067a1b2c3`);
    expect(text).not.toMatch(/identitystore:(Create|Delete|Update|Put)/);
  });

  const readerRoleName = () =>
    template.findResources('AWS::IAM::Role')[
      stack.getLogicalId(stack.readerRole.node.defaultChild as never)
    ]?.Properties.RoleName;

  it('names the reader role the idsync stack assumes, and the roles the stack names', () => {
    // The app's stack selection without `companion`: the idsync stack, in the stack's account.
    const idsync = appStack(LAYOUT);
    expect(idsync).toBeInstanceOf(IdsyncStack);
    expect([idsync.stackName, idsync.account, idsync.region]).toEqual([
      'Idsync',
      STACK,
      'eu-west-1',
    ]);
    const template = Template.fromStack(idsync);
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Environment?.Variables?.IDSYNC_IDENTITYSTORE_ROLE_ARN,
    );
    expect(fn?.Properties.Environment.Variables.IDSYNC_IDENTITYSTORE_ROLE_ARN).toBe(
      `arn:aws:iam::${IDC}:role/${readerRoleName()}`,
    );
    expect(namedRoles(template)).toEqual(['Idsync-events-eu-west-1', 'Idsync-snapshot-eu-west-1']);
    const [bus] = Object.values(template.findResources('AWS::Events::EventBus'));
    expect(`arn:aws:events:eu-west-1:${STACK}:event-bus/${bus?.Properties.Name}`).toBe(BUS);
  });

  it('passes cdk-nag, each acknowledgement with its reason', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    // Without the acknowledgement the wildcard of user ARNs is a finding: the check is live.
    const { stack: bare } = companion();
    dropAcknowledgements(bare.readerRole);
    const again = new AwsSolutionsChecks().validateScope(bare);
    expect(again.violations.map((v) => v.ruleName)).toEqual([
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:identitystore:::user/*]',
    ]);
  });

  it('refuses a single-account layout', () => {
    expect(() => companion({ account: STACK })).toThrow(SettingsError);
    expect(() => companion({ account: STACK })).toThrow(/identityCenterAccountId/);
  });
});

describe('cdk synth with the companion context, cdk-nag validating', () => {
  it('IdC elsewhere: the idsync stack in its account, the companion in the IdC account and region', () => {
    const { assembly } = synthApp({ ...LAYOUT, companion: 'identity-center' });
    expect(
      assembly.stacks.map((s) => [s.stackName, s.environment.account, s.environment.region]),
    ).toEqual([['Idsync-IdentityCenter', IDC, 'us-east-1']]);
    expect(() => synthApp({ ...LAYOUT, companion: 'sqs' })).toThrow(
      /context companion must be one of identity-center, quicksight \(got "sqs"\)/,
    );
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    const app = new App({
      context: { ...LAYOUT, companion: 'identity-center' },
      builtinCloudFormationValidation: false,
    });
    const stack = addIdsyncStacks(app, ALL_FIXTURES) as IdentityCenterCompanionStack;
    dropAcknowledgements(stack.readerRole);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(
      /AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:identitystore:::user\/\*\]/,
    );
  });
});
