import * as iam from 'aws-cdk-lib/aws-iam';
import { ROLE_VARIABLES } from '../../shared/aws/service-credentials.js';
import type { Job } from '../constructs/idsync-function.js';
import { QUICKSIGHT_JOBS, quickSightAccountEntries } from './quicksight-layout.js';

/**
 * Roles in other accounts (README "Roles in other accounts"): the role ARNs the functions assume,
 * given through the `environment` context (IDSYNC_QUICKSIGHT_ROLE_ARN,
 * IDSYNC_IDENTITYSTORE_ROLE_ARN, IDSYNC_CLOUDTRAIL_ROLE_ARN, and IDSYNC_ROLE_EXTERNAL_ID), reach
 * every function's environment like any other variable; each job may assume only the roles of
 * the services it calls, one `sts:AssumeRole` statement on exactly those ARNs. The jobs that call
 * QuickSight (snapshot, worker) may also assume the roles IDSYNC_QUICKSIGHT_ACCOUNTS names for
 * its accounts (`account[:namespace…]@role-arn`), and only those; so may `activity`, which reads
 * each of those accounts' CloudTrail history with its role. No role given: no statement.
 */

/** The role variables each job's clients use (shared/aws/service-credentials.ts). */
export const ROLES_BY_JOB: Readonly<Partial<Record<Job, readonly string[]>>> = {
  snapshot: [ROLE_VARIABLES.quicksight, ROLE_VARIABLES.identitystore],
  plan: [],
  worker: [ROLE_VARIABLES.quicksight],
  events: [ROLE_VARIABLES.identitystore],
  activity: [ROLE_VARIABLES.cloudtrail],
};

/** `job`'s `sts:AssumeRole` statement on the roles `environment` names for it; undefined when none. */
export function assumeRoleStatement(
  job: Job,
  environment: Readonly<Record<string, string>>,
): iam.PolicyStatement | undefined {
  const variables = ROLES_BY_JOB[job] ?? [];
  // The jobs that call QuickSight or its accounts' CloudTrail (infra/stacks/quicksight-layout.ts).
  const scopeRoles = (QUICKSIGHT_JOBS as readonly Job[]).includes(job)
    ? quickSightAccountRoles(environment)
    : [];
  const roles = [
    ...new Set([...variables.map((v) => environment[v]?.trim()), ...scopeRoles].filter((r) => !!r)),
  ] as string[];
  if (roles.length === 0) return undefined;
  return new iam.PolicyStatement({
    sid: 'AssumeServiceRoles',
    actions: ['sts:AssumeRole'],
    resources: roles.sort(),
  });
}

/** The roles IDSYNC_QUICKSIGHT_ACCOUNTS names (a malformed value is refused by validateEnvironment). */
function quickSightAccountRoles(environment: Readonly<Record<string, string>>): string[] {
  return quickSightAccountEntries(environment).flatMap((e) => (e.roleArn ? [e.roleArn] : []));
}
