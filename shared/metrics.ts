/**
 * The custom CloudWatch metrics of idsync: names, dimension and meaning, in one place. The jobs
 * emit them as CloudWatch Embedded Metric Format (EMF) fields on a JSON log line; the stack's
 * alarms watch them. This file has no CDK import, so a Lambda bundle can use it.
 *
 * Every metric is in namespace `idsync` with the one dimension `Deployment` = the table prefix
 * (`IDSYNC_TABLE_PREFIX`), so two deployments in one account (e.g. `idsync` and `idsync-staging`)
 * keep separate metrics and alarms. Unit: Count. Emit the value on every run (0 when nothing
 * happened), so the alarm sees data and a silent job stands out.
 */

export const METRIC_NAMESPACE = 'idsync';
export const METRIC_DIMENSION = 'Deployment';

export interface MetricSpec {
  /** The job that emits it: `services/<job>/`. */
  readonly emittedBy: 'snapshot' | 'plan' | 'worker' | 'events';
  readonly meaning: string;
}

export const IDSYNC_METRICS = {
  FailedItems: {
    emittedBy: 'worker',
    meaning: 'deletion tasks that failed after every retry in this invocation (task status FAILED)',
  },
  GuardTripped: {
    emittedBy: 'plan',
    meaning:
      '1 when a plan exceeded IDSYNC_MAX_DELETIONS / IDSYNC_MAX_DELETION_PERCENT and deleted nothing, or when the ' +
      'cross-run guard window (IDSYNC_MAX_DELETIONS within IDSYNC_GUARD_WINDOW_HOURS) blocked deletions; emitted by ' +
      'the plan, events and worker functions',
  },
  HeldTasks: {
    emittedBy: 'plan',
    meaning:
      'removal tasks held for more than an hour, waiting for an operator (BLOCKED by the guard window, held by a ' +
      'tripped guard, or awaiting the review approval: shared/held-work.ts), counted by every plan run',
  },
  PartialSnapshot: {
    emittedBy: 'snapshot',
    meaning: '1 when a snapshot ended PARTIAL (a source failed after its retries), else 0',
  },
  UnresolvedEvents: {
    emittedBy: 'events',
    meaning: 'DeleteUser events whose user id the identity map could not resolve to a person',
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof IDSYNC_METRICS;

/**
 * The EMF fields to merge into one JSON log record, e.g.
 * `logger.info(emfFields('idsync', { PartialSnapshot: 1 }, new Date()), 'snapshot metrics')`.
 * CloudWatch Logs turns the record into metric data points; the values also stay readable in the
 * log line.
 */
export function emfFields(
  deployment: string,
  values: Partial<Record<MetricName, number>>,
  at: Date,
): Record<string, unknown> {
  return emf(deployment, values as Record<string, number>, 'Count', at);
}

/** EMF fields of any metrics of one unit, in the idsync namespace and dimension. */
export function emf(
  deployment: string,
  values: Readonly<Record<string, number>>,
  unit: 'Count' | 'None',
  at: Date,
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [[METRIC_DIMENSION]],
          Metrics: Object.keys(values).map((Name) => ({ Name, Unit: unit })),
        },
      ],
    },
    [METRIC_DIMENSION]: deployment,
    ...values,
  };
}
