import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ForwardToBus } from '../constructs/forward-to-bus.js';
import { identityStoreDescribeUser, identityStoreListUsers } from '../constructs/permissions.js';
import { idcUserEventPattern } from '../constructs/triggers.js';
import {
  IDENTITY_CENTER_JOBS,
  identityCenterElsewhere,
  identityCenterReaderRoleName,
  idsyncBusArn,
  jobRoleArn,
} from './identity-center-layout.js';
import { REASONS } from './nag-acknowledgments.js';
import { type IdsyncSettings, requiredExternalId, SettingsError } from './settings.js';

export interface IdentityCenterCompanionStackProps extends StackProps {
  /** The same settings (context) as the idsync stack's: each stack names the other's parts from them. */
  readonly settings: IdsyncSettings;
}

/**
 * What idsync needs in the IAM Identity Center account when the idsync stack lives in another
 * account or region (`-c companion=identity-center`, deployed into `identityCenterAccountId` /
 * `identityCenterRegion`; README "Deploy"):
 * - a rule forwarding the IdC user events (the pattern of infra/constructs/triggers.ts) to the
 *   idsync stack's own bus, through a role EventBridge assumes that may only put events on that
 *   one bus;
 * - the reader role idsync's snapshot and events functions assume (IDSYNC_IDENTITYSTORE_ROLE_ARN):
 *   `identitystore:ListUsers` and `DescribeUser` on the one identity store, trusted only by those
 *   two roles of idsync's account (`aws:PrincipalArn`) and only with the external id.
 */
export class IdentityCenterCompanionStack extends Stack {
  readonly forwardRule: events.Rule;
  readonly forwardRole: iam.Role;
  readonly readerRole: iam.Role;

  constructor(scope: Construct, id: string, props: IdentityCenterCompanionStackProps) {
    super(scope, id, {
      description:
        'idsync companion: forwards IAM Identity Center user events, and the reader role idsync assumes',
      ...props,
    });
    const s = props.settings;
    if (!identityCenterElsewhere(s)) {
      throw new SettingsError(
        'the identity-center companion stack is for IAM Identity Center in another account or region than the idsync stack: set context identityCenterAccountId (and identityCenterRegion)',
      );
    }
    const externalId = requiredExternalId(s);
    const forward = new ForwardToBus(this, 'IdcUserEvents', {
      sourceAccount: s.identityCenterAccountId,
      busArn: idsyncBusArn(s),
      eventPattern: idcUserEventPattern(s.identityCenterAccountId),
      what: 'IdC user events',
    });
    this.forwardRule = forward.rule;
    this.forwardRole = forward.role;

    this.readerRole = new iam.Role(this, 'ReaderRole', {
      roleName: identityCenterReaderRoleName(s),
      description: 'idsync: reads the IAM Identity Center users (ListUsers, DescribeUser)',
      assumedBy: new iam.AccountPrincipal(s.account).withConditions({
        StringEquals: { 'sts:ExternalId': externalId },
        ArnEquals: { 'aws:PrincipalArn': IDENTITY_CENTER_JOBS.map((job) => jobRoleArn(s, job)) },
      }),
    });
    const store = { accountId: s.identityCenterAccountId, identityStoreId: s.identityStoreId };
    this.readerRole.addToPolicy(identityStoreListUsers(store));
    this.readerRole.addToPolicy(identityStoreDescribeUser(store));
    Validations.of(this.readerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:identitystore:::user/*]`,
      reason: REASONS.identityStoreUsers,
    });

    new CfnOutput(this, 'ReaderRoleArn', { value: this.readerRole.roleArn });
    new CfnOutput(this, 'ForwardRuleArn', { value: this.forwardRule.ruleArn });
  }
}
