import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../infra/constructs/idsync-function.js';
import {
  identityCenterReaderRoleArn,
  idsyncBusArn,
  jobRoleArn,
  partitionOf,
} from '../../infra/stacks/identity-center-layout.js';
import type { IdsyncStack } from '../../infra/stacks/idsync-stack.js';
import { SettingsError, settingsFrom } from '../../infra/stacks/settings.js';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  IDC_EVENT_NAMES,
  IDC_EVENT_SOURCES,
  IDC_EVENTBRIDGE_SOURCES,
  QUICKSIGHT_EVENTBRIDGE_SOURCE,
} from '../../shared/event-sources.js';
import { fixtureStack } from './fixture-stack.js';

/**
 * IAM Identity Center in another account (the organisation's management account) than the stack
 * (QuickSight's account): the stack's own bus accepts the IdC account's IdC user events, the rule
 * on it matches that account, the functions treat that account's events as genuine and read the
 * identity store through the companion's reader role.
 */

const STACK = '111111111111';
const IDC = '222222222222';
const TWO_ACCOUNTS = {
  account: STACK,
  region: 'eu-west-1',
  identityCenterAccountId: IDC,
  identityCenterRegion: 'us-east-1',
  environment: { IDSYNC_ROLE_EXTERNAL_ID: 'idsync-agreed-id' },
};

type Resource = ReturnType<Template['findResources']>[string];

function rules(template: Template): Resource[] {
  return Object.values(template.findResources('AWS::Events::Rule')) as Resource[];
}

function roleStatements(stack: IdsyncStack, template: Template, job: Job) {
  const role = stack.getLogicalId(stack.functions[job]?.role.node.defaultChild as never);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
}

describe('settings of the IdC layout', () => {
  it('defaults the IdC account and region to the stack’s', () => {
    const s = settingsFrom({ account: STACK, region: 'eu-west-1' });
    expect(s.identityCenterAccountId).toBe(STACK);
    expect(s.identityCenterRegion).toBe('eu-west-1');
    expect(settingsFrom(TWO_ACCOUNTS)).toMatchObject({
      identityCenterAccountId: IDC,
      identityCenterRegion: 'us-east-1',
    });
  });

  it.each([
    [
      { identityCenterAccountId: '2222' },
      /identityCenterAccountId must be a 12-digit AWS account id \(got "2222"\)/,
    ],
    [{ quickSightAccountId: 'abc' }, /quickSightAccountId must be a 12-digit/],
    [
      { identityCenterRegion: 'Frankfurt' },
      /identityCenterRegion must be an AWS region such as eu-west-1 \(got "Frankfurt"\)/,
    ],
    [{ region: 'us-east' }, /context region must be an AWS region/],
    [{ quickSightRegion: 'eu_west_1' }, /quickSightRegion must be an AWS region/],
    [
      { identityCenterAccountId: IDC },
      /must set IDSYNC_ROLE_EXTERNAL_ID when identityCenterAccountId/,
    ],
    [{ identityCenterRegion: 'us-west-2' }, /must set IDSYNC_ROLE_EXTERNAL_ID/],
    [
      {
        ...TWO_ACCOUNTS,
        environment: {
          IDSYNC_ROLE_EXTERNAL_ID: 'x-1',
          IDSYNC_IDENTITYSTORE_ROLE_ARN: 'arn:aws:iam::222222222222:role/mine',
        },
      },
      /IDSYNC_IDENTITYSTORE_ROLE_ARN is set by the stack/,
    ],
    [{ environment: { IDSYNC_IDC_REGION: 'us-east-1' } }, /IDSYNC_IDC_REGION is set by the stack/],
  ])('rejects %j with a clear message', (context, message) => {
    expect(() => settingsFrom(context)).toThrow(SettingsError);
    expect(() => settingsFrom(context)).toThrow(message);
  });

  it('accepts the regions of every partition', () => {
    for (const region of ['us-gov-west-1', 'cn-north-1', 'ap-southeast-5', 'eu-central-2']) {
      expect(settingsFrom({ region }).region).toBe(region);
    }
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('eu-west-1')).toBe('aws');
  });

  it('refuses a stack name too long for the role names the layout fixes', () => {
    expect(() => fixtureStack({ ...TWO_ACCOUNTS, stackName: `Idsync${'x'.repeat(50)}` })).toThrow(
      /longer than IAM's 64 characters: choose a shorter stackName/,
    );
  });
});

describe('the stack with IdC in another account', () => {
  let stack: IdsyncStack;
  let template: Template;

  beforeAll(() => {
    ({ stack, template } = fixtureStack(TWO_ACCOUNTS));
  });

  it('has its own bus, whose policy lets only the IdC account put its CloudTrail IdC events', () => {
    const buses = Object.values(template.findResources('AWS::Events::EventBus')) as Resource[];
    expect(buses).toHaveLength(1);
    expect(buses[0]?.Properties.Name).toBe('Idsync-events');
    const policies = Object.values(
      template.findResources('AWS::Events::EventBusPolicy'),
    ) as Resource[];
    expect(policies).toHaveLength(1);
    const statement = policies[0]?.Properties.Statement;
    expect(statement).toMatchObject({
      Sid: 'cdk-IdentityCenterUserEvents',
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Condition: {
        'ForAllValues:StringEquals': { 'events:source': [...IDC_EVENTBRIDGE_SOURCES] },
        StringEquals: { 'events:detail-type': CLOUDTRAIL_DETAIL_TYPE },
      },
    });
    expect(JSON.stringify(statement.Principal)).toContain(`:iam::${IDC}:root`);
    expect(JSON.stringify(statement.Principal)).not.toContain(STACK);
  });

  it('routes IdC events of the IdC account on that bus, never of the stack’s account', () => {
    const idc = rules(template).filter((r) =>
      JSON.stringify(r.Properties.EventPattern?.source ?? []).includes('aws.identitystore'),
    );
    expect(idc).toHaveLength(1);
    const rule = idc[0] as Resource;
    expect(rule.Properties.EventBusName).toEqual({
      Ref: stack.getLogicalId(stack.eventBus?.bus.node.defaultChild as never),
    });
    expect(rule.Properties.EventPattern).toEqual({
      source: [...IDC_EVENTBRIDGE_SOURCES],
      account: [IDC],
      'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
      detail: { eventSource: [...IDC_EVENT_SOURCES], eventName: [...IDC_EVENT_NAMES] },
    });
    // QuickSight is in the stack's account: its activity rule stays on the default bus.
    const activity = rules(template).find((r) =>
      JSON.stringify(r.Properties.EventPattern?.source ?? []).includes(
        QUICKSIGHT_EVENTBRIDGE_SOURCE,
      ),
    );
    expect(activity?.Properties.EventBusName).toBeUndefined();
    expect(activity?.Properties.EventPattern.account).toEqual([STACK]);
  });

  it('tells every function the IdC account, region and reader role', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
    const idsync = functions.filter(
      (f) => f.Properties.Environment?.Variables?.IDSYNC_TABLE_PREFIX,
    );
    expect(idsync.length).toBeGreaterThanOrEqual(6);
    for (const f of idsync) {
      expect(f.Properties.Environment.Variables).toMatchObject({
        IDSYNC_IDC_ACCOUNT_ID: IDC,
        IDSYNC_IDC_REGION: 'us-east-1',
        IDSYNC_IDENTITYSTORE_ROLE_ARN: `arn:aws:iam::${IDC}:role/Idsync-identity-center-reader`,
        IDSYNC_QUICKSIGHT_ACCOUNT_ID: STACK,
      });
    }
  });

  it('lets snapshot and events assume the reader role, under their fixed names, and call IdC no other way', () => {
    const reader = identityCenterReaderRoleArn(stack.settings);
    for (const job of ['snapshot', 'events'] as const) {
      const statements = roleStatements(stack, template, job);
      expect(
        statements.filter((s) => s.Action === 'sts:AssumeRole').map((s) => s.Resource),
      ).toEqual([reader]);
      expect(JSON.stringify(statements)).not.toContain('identitystore:');
      expect(stack.functions[job]?.role.roleName).toBeDefined();
      const role =
        template.findResources('AWS::IAM::Role')[
          stack.getLogicalId(stack.functions[job]?.role.node.defaultChild as never)
        ];
      expect(role?.Properties.RoleName).toBe(`Idsync-${job}-eu-west-1`);
      expect(jobRoleArn(stack.settings, job)).toBe(
        `arn:aws:iam::${STACK}:role/Idsync-${job}-eu-west-1`,
      );
    }
    for (const job of ['plan', 'worker', 'activity'] as const) {
      expect(JSON.stringify(roleStatements(stack, template, job))).not.toContain(reader);
    }
    expect(idsyncBusArn(stack.settings)).toBe(
      `arn:aws:events:eu-west-1:${STACK}:event-bus/Idsync-events`,
    );
  });

  it('passes cdk-nag with nothing further acknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });
});

describe('the stack with QuickSight in another account', () => {
  it('accepts that account’s QuickSight events on its bus and routes them to the activity rule', () => {
    const QS = '333333333333';
    const { stack, template } = fixtureStack({ quickSightAccountId: QS });
    const [policy] = Object.values(
      template.findResources('AWS::Events::EventBusPolicy'),
    ) as Resource[];
    expect(policy?.Properties.Statement).toMatchObject({
      Sid: 'cdk-QuickSightActivityEvents',
      Condition: {
        'ForAllValues:StringEquals': { 'events:source': [QUICKSIGHT_EVENTBRIDGE_SOURCE] },
      },
    });
    expect(JSON.stringify(policy?.Properties.Statement.Principal)).toContain(`:iam::${QS}:root`);
    const activity = rules(template).find((r) =>
      JSON.stringify(r.Properties.EventPattern?.source ?? []).includes(
        QUICKSIGHT_EVENTBRIDGE_SOURCE,
      ),
    );
    expect(activity?.Properties.EventBusName).toEqual({
      Ref: stack.getLogicalId(stack.eventBus?.bus.node.defaultChild as never),
    });
    expect(activity?.Properties.EventPattern.account).toEqual([QS]);
    // IdC stays in the stack's account: its rule on the default bus, no role names fixed.
    const idc = rules(template).find((r) =>
      JSON.stringify(r.Properties.EventPattern?.source ?? []).includes('aws.identitystore'),
    );
    expect(idc?.Properties.EventBusName).toBeUndefined();
    expect(idc?.Properties.EventPattern.account).toEqual(['123456789012']);
  });

  it('keeps the single-account stack without a bus of its own', () => {
    const { template } = fixtureStack();
    expect(template.findResources('AWS::Events::EventBus')).toEqual({});
    expect(template.findResources('AWS::Events::EventBusPolicy')).toEqual({});
  });
});
