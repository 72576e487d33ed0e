import {
  parseQuickSightAccounts,
  type QuickSightAccountEntry,
} from '../../shared/quicksight-scopes.js';
import type { Job } from '../constructs/idsync-function.js';
import {
  checkedRoleName,
  identityCenterElsewhere,
  jobRoleArn,
  partitionOf,
  quickSightElsewhere,
} from './identity-center-layout.js';
import type { IdsyncSettings } from './settings.js';

/**
 * QuickSight in another account than the stack, and the names the idsync stack and the
 * QuickSight companion stack (infra/stacks/quicksight-companion-stack.ts) share. Both are
 * synthesized from the same context, so each computes the other's names from it:
 * - the companion's operator role `<stackName>-quicksight-operator` in the QuickSight account,
 *   which the stack names in IDSYNC_QUICKSIGHT_ROLE_ARN and IDSYNC_CLOUDTRAIL_ROLE_ARN (the
 *   QuickSight events idsync reads are in that account's CloudTrail);
 * - the job roles that may assume it, `<stackName>-<job>-<region>` (jobRoleName), named by the
 *   stack so the operator role's trust can name exactly them.
 */

/**
 * The jobs whose clients call QuickSight or the QuickSight account's CloudTrail
 * (infra/stacks/role-access.ts ROLES_BY_JOB: quicksight, cloudtrail).
 */
export const QUICKSIGHT_JOBS = ['snapshot', 'worker', 'activity'] as const satisfies readonly Job[];

export function quickSightOperatorRoleName(s: IdsyncSettings): string {
  return checkedRoleName(`${s.stackName}-quicksight-operator`);
}

/** The operator role a QuickSight companion creates in `account` (default the home account). */
export function quickSightOperatorRoleArn(
  s: IdsyncSettings,
  account: string = s.quickSightAccountId,
): string {
  return `arn:${partitionOf(s.quickSightRegion)}:iam::${account}:role/${quickSightOperatorRoleName(s)}`;
}

/** The job roles the operator role trusts. */
export function quickSightJobRoleArns(s: IdsyncSettings): string[] {
  return QUICKSIGHT_JOBS.map((job) => jobRoleArn(s, job));
}

/**
 * The variables the stack adds when QuickSight is elsewhere: the QuickSight and CloudTrail
 * clients assume the companion's operator role (the `environment` context may name other roles;
 * it is applied after these).
 */
export function quickSightEnvironment(s: IdsyncSettings): Record<string, string> {
  if (!quickSightElsewhere(s)) return {};
  const role = quickSightOperatorRoleArn(s);
  return { IDSYNC_QUICKSIGHT_ROLE_ARN: role, IDSYNC_CLOUDTRAIL_ROLE_ARN: role };
}

/**
 * The entries of IDSYNC_QUICKSIGHT_ACCOUNTS in `environment` (none when unset; a malformed value
 * is refused by validateEnvironment, infra/stacks/environment.ts).
 */
export function quickSightAccountEntries(
  environment: Readonly<Record<string, string>>,
): QuickSightAccountEntry[] {
  const listed = environment.IDSYNC_QUICKSIGHT_ACCOUNTS?.trim();
  const parsed = listed ? parseQuickSightAccounts(listed) : undefined;
  return parsed?.ok ? parsed.value : [];
}

/** Every QuickSight account idsync manages: `quickSightAccountId` (home) and those listed, once each. */
export function quickSightAccounts(s: IdsyncSettings): string[] {
  const listed = quickSightAccountEntries(s.environment).map((e) => e.accountId);
  return [...new Set([s.quickSightAccountId, ...listed])];
}

/** The QuickSight accounts other than the stack's: their events are forwarded to its bus. */
export function quickSightAccountsElsewhere(s: IdsyncSettings): string[] {
  return quickSightAccounts(s).filter((a) => a !== s.account);
}

/** The role IDSYNC_QUICKSIGHT_ACCOUNTS names for `account`, if any. */
export function listedRoleOf(s: IdsyncSettings, account: string): string | undefined {
  return quickSightAccountEntries(s.environment).find((e) => e.accountId === account)?.roleArn;
}

/** The namespaces idsync manages in `account` (its IDSYNC_QUICKSIGHT_ACCOUNTS entry's; else `namespace`). */
export function namespacesOf(s: IdsyncSettings, account: string): string[] {
  const entry = quickSightAccountEntries(s.environment).find((e) => e.accountId === account);
  return entry && entry.namespaces.length > 0 ? [...new Set(entry.namespaces)] : [s.namespace];
}

/**
 * The stack has its own bus when events come from another account or region: IdC elsewhere, or
 * any QuickSight account other than the stack's.
 */
export function needsOwnBus(s: IdsyncSettings): boolean {
  return identityCenterElsewhere(s) || quickSightAccountsElsewhere(s).length > 0;
}
