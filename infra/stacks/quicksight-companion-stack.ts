import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ASSET_TYPES } from '../../shared/asset-owner-actions.js';
import { quickSightEventPattern, READ_ONLY_EVENTS_STATE } from '../constructs/activity.js';
import { ForwardToBus } from '../constructs/forward-to-bus.js';
import {
  cloudTrailLookupEvents,
  quickSightAssetHandover,
  quickSightChangeUsers,
  quickSightListUsers,
} from '../constructs/permissions.js';
import { idsyncBusArn, quickSightElsewhere } from './identity-center-layout.js';
import { REASONS } from './nag-acknowledgments.js';
import { quickSightJobRoleArns, quickSightOperatorRoleName } from './quicksight-layout.js';
import { type IdsyncSettings, requiredExternalId, SettingsError } from './settings.js';

export interface QuickSightCompanionStackProps extends StackProps {
  /** The same settings (context) as the idsync stack's: each stack names the other's parts from them. */
  readonly settings: IdsyncSettings;
}

/**
 * What idsync needs in the QuickSight account when the idsync stack lives in another account
 * (`-c companion=quicksight`, deployed into `quickSightAccountId` / `quickSightRegion`; README
 * "Deploy"):
 * - a rule forwarding the QuickSight CloudTrail events, read-only ones included (the activity
 *   record's live feed, infra/constructs/activity.ts), to the idsync stack's own bus, through a
 *   role EventBridge assumes that may only put events on that one bus;
 * - the operator role idsync's snapshot, worker and activity functions assume
 *   (IDSYNC_QUICKSIGHT_ROLE_ARN and IDSYNC_CLOUDTRAIL_ROLE_ARN, set by the stack): the QuickSight
 *   user calls of the one namespace (list, delete, change role), the asset handover, and
 *   CloudTrail LookupEvents; trusted only by those three roles of idsync's account
 *   (`aws:PrincipalArn`) and only with the external id.
 */
export class QuickSightCompanionStack extends Stack {
  readonly forwardRule: events.Rule;
  readonly forwardRole: iam.Role;
  readonly operatorRole: iam.Role;

  constructor(scope: Construct, id: string, props: QuickSightCompanionStackProps) {
    super(scope, id, {
      description:
        'idsync companion: forwards QuickSight activity events, and the operator role idsync assumes',
      ...props,
    });
    const s = props.settings;
    if (!quickSightElsewhere(s)) {
      throw new SettingsError(
        'the quicksight companion stack is for QuickSight in another account than the idsync stack: set context quickSightAccountId',
      );
    }
    const externalId = requiredExternalId(s);
    const forward = new ForwardToBus(this, 'QuickSightEvents', {
      sourceAccount: s.quickSightAccountId,
      busArn: idsyncBusArn(s),
      eventPattern: quickSightEventPattern(s.quickSightAccountId),
      what: 'QuickSight events, read-only ones included',
      state: READ_ONLY_EVENTS_STATE,
    });
    this.forwardRule = forward.rule;
    this.forwardRole = forward.role;

    this.operatorRole = new iam.Role(this, 'OperatorRole', {
      roleName: quickSightOperatorRoleName(s),
      description:
        'idsync: lists, deletes and changes QuickSight users of one namespace, hands their assets over, reads CloudTrail',
      assumedBy: new iam.AccountPrincipal(s.account).withConditions({
        StringEquals: { 'sts:ExternalId': externalId },
        ArnEquals: { 'aws:PrincipalArn': quickSightJobRoleArns(s) },
      }),
    });
    const quickSight = {
      accountId: s.quickSightAccountId,
      region: s.quickSightRegion,
      namespace: s.namespace,
    };
    for (const statement of [
      quickSightListUsers(quickSight),
      quickSightChangeUsers(quickSight),
      quickSightAssetHandover(quickSight),
      cloudTrailLookupEvents(),
    ])
      this.operatorRole.addToPolicy(statement);
    const partition = '<AWS::Partition>';
    const users = `arn:${partition}:quicksight:${s.quickSightRegion}:${s.quickSightAccountId}:user/${s.namespace}/*`;
    const acknowledge = (resource: string, reason: string) =>
      Validations.of(this.operatorRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason,
      });
    acknowledge(users, REASONS.quickSightUsers);
    for (const word of ASSET_TYPES)
      acknowledge(
        `arn:${partition}:quicksight:${s.quickSightRegion}:${s.quickSightAccountId}:${word}/*`,
        REASONS.quickSightAssets,
      );
    acknowledge('*', REASONS.cloudTrailLookup);

    new CfnOutput(this, 'OperatorRoleArn', { value: this.operatorRole.roleArn });
    new CfnOutput(this, 'ForwardRuleArn', { value: this.forwardRule.ruleArn });
  }
}
