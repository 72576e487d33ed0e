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
import { idsyncBusArn } from './identity-center-layout.js';
import { REASONS } from './nag-acknowledgments.js';
import {
  listedRoleOf,
  namespacesOf,
  quickSightAccounts,
  quickSightJobRoleArns,
  quickSightOperatorRoleArn,
  quickSightOperatorRoleName,
} from './quicksight-layout.js';
import { type IdsyncSettings, requiredExternalId, SettingsError } from './settings.js';

export interface QuickSightCompanionStackProps extends StackProps {
  /** The same settings (context) as the idsync stack's: each stack names the other's parts from them. */
  readonly settings: IdsyncSettings;
  /**
   * The QuickSight account this companion is for: the home account or one IDSYNC_QUICKSIGHT_ACCOUNTS
   * lists (`-c companionAccountId=…`). @default settings.quickSightAccountId
   */
  readonly quickSightAccountId?: string;
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
    const account = props.quickSightAccountId ?? s.quickSightAccountId;
    checkCompanionAccount(s, account);
    const externalId = requiredExternalId(s);
    const forward = new ForwardToBus(this, 'QuickSightEvents', {
      sourceAccount: account,
      busArn: idsyncBusArn(s),
      eventPattern: quickSightEventPattern(account),
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
    const namespaces = namespacesOf(s, account);
    const quickSight = { accountId: account, region: s.quickSightRegion, namespace: namespaces };
    for (const statement of [
      quickSightListUsers(quickSight),
      quickSightChangeUsers(quickSight),
      quickSightAssetHandover(quickSight),
      cloudTrailLookupEvents(),
    ])
      this.operatorRole.addToPolicy(statement);
    const partition = '<AWS::Partition>';
    const acknowledge = (resource: string, reason: string) =>
      Validations.of(this.operatorRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason,
      });
    const arn = `arn:${partition}:quicksight:${s.quickSightRegion}:${account}`;
    for (const namespace of namespaces)
      acknowledge(`${arn}:user/${namespace}/*`, REASONS.quickSightUsers);
    for (const word of ASSET_TYPES) acknowledge(`${arn}:${word}/*`, REASONS.quickSightAssets);
    acknowledge('*', REASONS.cloudTrailLookup);

    new CfnOutput(this, 'OperatorRoleArn', { value: this.operatorRole.roleArn });
    new CfnOutput(this, 'ForwardRuleArn', { value: this.forwardRule.ruleArn });
  }
}

/**
 * A QuickSight companion is for a QuickSight account of this deployment other than the stack's;
 * for an account IDSYNC_QUICKSIGHT_ACCOUNTS lists (not the home one, whose role the stack names
 * itself), the entry must name the operator role this companion creates, or idsync would assume
 * another.
 * @throws SettingsError saying which context to set
 */
function checkCompanionAccount(s: IdsyncSettings, account: string): void {
  if (account === s.account) {
    throw new SettingsError(
      'the quicksight companion stack is for QuickSight in another account than the idsync stack: set context quickSightAccountId (or companionAccountId) to that account',
    );
  }
  if (!quickSightAccounts(s).includes(account)) {
    throw new SettingsError(
      `context companionAccountId ${account} is not a QuickSight account of this deployment: it is neither quickSightAccountId nor listed in IDSYNC_QUICKSIGHT_ACCOUNTS`,
    );
  }
  const role = quickSightOperatorRoleArn(s, account);
  if (account !== s.quickSightAccountId && listedRoleOf(s, account) !== role) {
    throw new SettingsError(
      `IDSYNC_QUICKSIGHT_ACCOUNTS must name this companion's role for account ${account}: ${account}[:namespace…]@${role}`,
    );
  }
}
