import type { Job } from '../constructs/idsync-function.js';
import {
  checkedRoleName,
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

export function quickSightOperatorRoleArn(s: IdsyncSettings): string {
  return `arn:${partitionOf(s.quickSightRegion)}:iam::${s.quickSightAccountId}:role/${quickSightOperatorRoleName(s)}`;
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
