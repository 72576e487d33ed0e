import * as iam from 'aws-cdk-lib/aws-iam';
import { ROLE_VARIABLES } from '../../shared/aws/service-credentials.js';
import { parseQuickSightAccounts } from '../../shared/quicksight-scopes.js';
import type { Job } from '../constructs/idsync-function.js';

/**
 * Roles in other accounts (README "Roles in other accounts"): the role ARNs the functions assume,
 * given through the `environment` context (IDSYNC_QUICKSIGHT_ROLE_ARN,
 * IDSYNC_IDENTITYSTORE_ROLE_ARN, IDSYNC_CLOUDTRAIL_ROLE_ARN, and IDSYNC_ROLE_EXTERNAL_ID), reach
 * every function's environment like any other variable; each job may assume only the roles of
 * the services it calls, one `sts:AssumeRole` statement on exactly those ARNs. No role given:
 * no statement.
 */

/** The role variables each job's clients use (shared/aws/service-credentials.ts). */
export const ROLES_BY_JOB: Readonly<Partial<Record<Job, readonly string[]>>> = {
  snapshot: [ROLE_VARIABLES.quicksight, ROLE_VARIABLES.identitystore],
  plan: [],
  worker: [ROLE_VARIABLES.quicksight],
  events: [ROLE_VARIABLES.identitystore],
  activity: [ROLE_VARIABLES.cloudtrail],
};

/**
 * The jobs that also assume the roles of IDSYNC_QUICKSIGHT_ACCOUNTS' entries (`@role-arn`):
 * `activity` reads each QuickSight account's CloudTrail history with its role.
 */
export const SCOPE_ROLE_JOBS: ReadonlySet<Job> = new Set<Job>(['activity']);

/** The role ARNs IDSYNC_QUICKSIGHT_ACCOUNTS names (none when it is unset or malformed). */
function scopeRoles(environment: Readonly<Record<string, string>>): string[] {
  const text = environment.IDSYNC_QUICKSIGHT_ACCOUNTS;
  const parsed = text === undefined ? undefined : parseQuickSightAccounts(text);
  return parsed?.ok ? parsed.value.flatMap((e) => (e.roleArn ? [e.roleArn] : [])) : [];
}

/** `job`'s `sts:AssumeRole` statement on the roles `environment` names for it; undefined when none. */
export function assumeRoleStatement(
  job: Job,
  environment: Readonly<Record<string, string>>,
): iam.PolicyStatement | undefined {
  const roles = [
    ...new Set([
      ...(ROLES_BY_JOB[job] ?? []).map((v) => environment[v]?.trim()).filter((r) => !!r),
      ...(SCOPE_ROLE_JOBS.has(job) ? scopeRoles(environment) : []),
    ]),
  ] as string[];
  if (roles.length === 0) return undefined;
  return new iam.PolicyStatement({
    sid: 'AssumeServiceRoles',
    actions: ['sts:AssumeRole'],
    resources: roles.sort(),
  });
}
