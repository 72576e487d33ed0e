import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ASSET_TYPES } from '../../shared/asset-owner-actions.js';

/**
 * The IAM statements for the two services CDK has no grants for, scoped as tightly as the
 * Service Authorization Reference (SAR) allows. No `*` action; resources are ARNs of one account,
 * the managed QuickSight namespaces and one identity store.
 */

export interface QuickSightScope {
  /** Account of QuickSight. */
  readonly accountId: string;
  /** QuickSight identity region: users are created, listed and deleted there. */
  readonly region: string;
  /** The namespace, or each namespace idsync manages in the account (IDSYNC_QUICKSIGHT_ACCOUNTS). */
  readonly namespace: string | readonly string[];
}

/** `arn:<partition>:quicksight:<region>:<account>:user/<namespace>/*` of each namespace: their users. */
export function quickSightUsersArns(scope: QuickSightScope): string[] {
  return [scope.namespace]
    .flat()
    .map(
      (namespace) =>
        `arn:${Aws.PARTITION}:quicksight:${scope.region}:${scope.accountId}:user/${namespace}/*`,
    );
}

/**
 * `quicksight:ListUsers` on the namespace's users. The SAR lists ListUsers with the `user`
 * resource type, so the same user ARN pattern as for deletion applies (no `*` resource needed).
 */
export function quickSightListUsers(scope: QuickSightScope): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'QuickSightListUsersOfNamespace',
    actions: ['quicksight:ListUsers'],
    resources: quickSightUsersArns(scope),
  });
}

/**
 * `quicksight:DeleteUser`, `quicksight:DeleteUserByPrincipalId` and `quicksight:UpdateUser` (the
 * worker's `change_role` tasks: role follows group, idle Authors made Readers), only on the users
 * of the namespace (resource type `user`). One statement: the worker role's inline policy is
 * close to IAM's size limit.
 */
export function quickSightChangeUsers(scope: QuickSightScope): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'QuickSightDeleteOrChangeUsersOfNamespace',
    actions: [
      'quicksight:DeleteUser',
      'quicksight:DeleteUserByPrincipalId',
      'quicksight:UpdateUser',
    ],
    resources: quickSightUsersArns(scope),
  });
}

/** `arn:<partition>:quicksight:<region>:<account>:<type>/*` for each asset type. */
export function quickSightAssetArns(scope: QuickSightScope): string[] {
  // The asset types of the handover (shared/asset-owner-actions.ts) are also the ARNs' words.
  return ASSET_TYPES.map(
    (word) => `arn:${Aws.PARTITION}:quicksight:${scope.region}:${scope.accountId}:${word}/*`,
  );
}

/**
 * The asset handover before a deletion (services/removals/handover/): find what a user owns
 * alone (Search*, List* of themes, templates and topics, Describe*Permissions), grant it to the
 * successor (Update*Permissions) and look the successor up (DescribeUser). Scoped to the asset
 * types' ARNs of one account and region, and the namespace's users; no delete of any asset.
 */
export function quickSightAssetHandover(scope: QuickSightScope): iam.PolicyStatement {
  const types = [
    'Dashboard',
    'Analysis',
    'DataSet',
    'DataSource',
    'Folder',
    'Theme',
    'Template',
    'Topic',
  ];
  return new iam.PolicyStatement({
    sid: 'QuickSightAssetHandover',
    actions: [
      ...['Dashboards', 'Analyses', 'DataSets', 'DataSources', 'Folders'].map(
        (t) => `quicksight:Search${t}`,
      ),
      ...['Themes', 'Templates', 'Topics'].map((t) => `quicksight:List${t}`),
      ...types.map((t) => `quicksight:Describe${t}Permissions`),
      ...types.map((t) => `quicksight:Update${t}Permissions`),
      'quicksight:DescribeUser',
    ],
    resources: [...quickSightAssetArns(scope), ...quickSightUsersArns(scope)],
  });
}

export interface IdentityStoreScope {
  /** Account of the IAM Identity Center instance. */
  readonly accountId: string;
  /** `d-…` (or the UUID form). */
  readonly identityStoreId: string;
}

/** `arn:<partition>:identitystore::<account>:identitystore/<id>` (identity store ARNs have no region). */
export function identityStoreArn(scope: IdentityStoreScope): string {
  return `arn:${Aws.PARTITION}:identitystore::${scope.accountId}:identitystore/${scope.identityStoreId}`;
}

/**
 * User ARNs carry neither account nor store id (`arn:<partition>:identitystore:::user/<uuid>`),
 * so `user/*` is the narrowest form; the identity store ARN beside it binds the call to one store.
 */
export function identityStoreUsersArn(): string {
  return `arn:${Aws.PARTITION}:identitystore:::user/*`;
}

/** `identitystore:ListUsers`: the SAR's required resource type is the identity store. */
export function identityStoreListUsers(scope: IdentityStoreScope): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'IdentityStoreListUsers',
    actions: ['identitystore:ListUsers'],
    resources: [identityStoreArn(scope)],
  });
}

/** `identitystore:DescribeUser`: the SAR requires both the identity store and the user resource. */
export function identityStoreDescribeUser(scope: IdentityStoreScope): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'IdentityStoreDescribeUser',
    actions: ['identitystore:DescribeUser'],
    resources: [identityStoreArn(scope), identityStoreUsersArn()],
  });
}

/**
 * `cloudtrail:LookupEvents` for `activity sync`. The SAR lists no resource type and no condition
 * key for LookupEvents (it reads the account's event history of the region), so its only valid
 * resource is `*`; the statement holds this one read-only action and nothing else.
 */
export function cloudTrailLookupEvents(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'CloudTrailLookupEvents',
    actions: ['cloudtrail:LookupEvents'],
    resources: ['*'],
  });
}

export interface NoticeSenderScope {
  /** Account and region of SES (the stack's). */
  readonly accountId: string;
  readonly region: string;
  /** IDSYNC_NOTICE_FROM: the verified address (or an address of a verified domain). */
  readonly from: string;
}

/**
 * What the notices to users need from SES v2 (services/notices/ses-mailer.ts):
 * `ses:SendEmail` on the From identity only (the address, or its domain when the domain is the
 * verified identity), and `ses:GetAccount` (the sending rate the sends are paced to), which the
 * SAR lists without a resource type: `*` is the only resource it accepts.
 */
export function sesSendNotices(scope: NoticeSenderScope): iam.PolicyStatement[] {
  const identity = (name: string) =>
    `arn:${Aws.PARTITION}:ses:${scope.region}:${scope.accountId}:identity/${name}`;
  const domain = scope.from.split('@')[1] ?? scope.from;
  return [
    new iam.PolicyStatement({
      sid: 'SesSendNotices',
      actions: ['ses:SendEmail'],
      resources: [identity(scope.from), identity(domain)],
    }),
    new iam.PolicyStatement({
      sid: 'SesSendingRate',
      actions: ['ses:GetAccount'],
      resources: ['*'],
    }),
  ];
}
