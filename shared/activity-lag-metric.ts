import { emf } from './metrics.js';

/**
 * The activity sync's lag metric: hours from the end of the CloudTrail span the activity record
 * has read (the sync cursor's `covered.to`) to now. The scheduled sync emits it after every run
 * (services/activity/handler.ts); the stack's ActivityLag alarm (infra/constructs/activity.ts)
 * fires above `MAX_ACTIVITY_LAG_HOURS`. Same namespace and dimension as metrics.ts.
 */

export const ACTIVITY_LAG_METRIC = 'ActivityLagHours';
/**
 * The alarm's threshold only: a day without a sync is worth waking someone for. The idle rule
 * has its own, stricter limit (IDSYNC_ACTIVITY_MAX_LAG_HOURS, default 2 h, shared/idle-rule.ts):
 * past it, idle users are not judged (the plan leaves them out; the worker defers their
 * deletions) until a sync catches the record up, so a lag between the two costs only delay.
 */
export const MAX_ACTIVITY_LAG_HOURS = 24;
/** Reported before the first window completes: far above any threshold. */
export const NO_COVERAGE_LAG_HOURS = 10_000;

/** The lag in hours (one decimal), or `NO_COVERAGE_LAG_HOURS` without coverage. */
export function activityLagHours(coveredTo: string | undefined, now: Date): number {
  const end = coveredTo === undefined ? Number.NaN : Date.parse(coveredTo);
  if (!Number.isFinite(end)) return NO_COVERAGE_LAG_HOURS;
  return Math.max(0, Math.round(((now.getTime() - end) / 3_600_000) * 10) / 10);
}

/**
 * The EMF fields to merge into the sync's log record, e.g.
 * `logger.info({ ...activityLagFields(prefix, result.covered?.to, now), … }, 'activity sync')`.
 */
export function activityLagFields(
  deployment: string,
  coveredTo: string | undefined,
  now: Date,
): Record<string, unknown> {
  return emf(deployment, { [ACTIVITY_LAG_METRIC]: activityLagHours(coveredTo, now) }, 'None', now);
}
