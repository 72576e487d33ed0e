import type { Job } from '../constructs/idsync-function.js';
import { type IdsyncSettings, SettingsError } from './settings.js';

/**
 * Where IAM Identity Center and QuickSight live compared with the stack, and the names the idsync
 * stack and the IdC companion stack (infra/stacks/identity-center-companion-stack.ts) share.
 * Both are synthesized from the same context, so each computes the other's names from it:
 * - the stack's own event bus `<stackName>-events`, which accepts the IdC account's IdC user
 *   events and the QuickSight account's QuickSight events (a bus policy per account);
 * - the companion's reader role `<stackName>-identity-center-reader` in the IdC account, which
 *   the stack names in IDSYNC_IDENTITYSTORE_ROLE_ARN;
 * - the job roles that may assume it, `<stackName>-<job>-<region>`, named by the stack so the
 *   reader role's trust can name exactly them.
 */

/** The jobs whose clients call IdentityStore (shared/aws/service-credentials.ts: identitystore). */
export const IDENTITY_CENTER_JOBS = ['snapshot', 'events'] as const satisfies readonly Job[];

/** IAM role names are at most 64 characters. */
const MAX_ROLE_NAME = 64;

/** IdC lives in another account or region than the stack: its events and reads cross over. */
export function identityCenterElsewhere(s: IdsyncSettings): boolean {
  return s.identityCenterAccountId !== s.account || s.identityCenterRegion !== s.region;
}

/** QuickSight lives in another account than the stack: its CloudTrail events cross over. */
export function quickSightElsewhere(s: IdsyncSettings): boolean {
  return s.quickSightAccountId !== s.account;
}

/** `aws`, `aws-cn` or `aws-us-gov`, from a region name. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function idsyncBusName(s: IdsyncSettings): string {
  return `${s.stackName}-events`;
}

export function idsyncBusArn(s: IdsyncSettings): string {
  return `arn:${partitionOf(s.region)}:events:${s.region}:${s.account}:event-bus/${idsyncBusName(s)}`;
}

export function identityCenterReaderRoleName(s: IdsyncSettings): string {
  return checkedRoleName(`${s.stackName}-identity-center-reader`);
}

export function identityCenterReaderRoleArn(s: IdsyncSettings): string {
  return `arn:${partitionOf(s.identityCenterRegion)}:iam::${s.identityCenterAccountId}:role/${identityCenterReaderRoleName(s)}`;
}

/** The fixed name of `job`'s role, given only when IdC is elsewhere (the reader role trusts it). */
export function jobRoleName(s: IdsyncSettings, job: Job): string {
  return checkedRoleName(`${s.stackName}-${job}-${s.region}`);
}

export function jobRoleArn(s: IdsyncSettings, job: Job): string {
  return `arn:${partitionOf(s.region)}:iam::${s.account}:role/${jobRoleName(s, job)}`;
}

export function checkedRoleName(name: string): string {
  if (name.length > MAX_ROLE_NAME) {
    throw new SettingsError(
      `the role name ${name} is longer than IAM's ${MAX_ROLE_NAME} characters: choose a shorter stackName`,
    );
  }
  return name;
}

/**
 * The variables the stack adds for the IdC layout: the account and region whose events are
 * genuine, and, when IdC is elsewhere, the reader role the IdentityStore client assumes.
 */
export function identityCenterEnvironment(s: IdsyncSettings): Record<string, string> {
  return {
    IDSYNC_IDC_ACCOUNT_ID: s.identityCenterAccountId,
    IDSYNC_IDC_REGION: s.identityCenterRegion,
    ...(identityCenterElsewhere(s)
      ? { IDSYNC_IDENTITYSTORE_ROLE_ARN: identityCenterReaderRoleArn(s) }
      : {}),
  };
}
