import { describe, expect, it } from 'vitest';
import { emfFields, IDSYNC_METRICS, METRIC_NAMESPACE } from '../../shared/metrics.js';

describe('EMF fields', () => {
  it('declares every metric of the record under the idsync namespace and Deployment dimension', () => {
    const at = new Date('2026-11-27T12:00:00Z');
    const fields = emfFields('idsync-staging', { FailedItems: 3, GuardTripped: 0 }, at);
    expect(fields).toEqual({
      _aws: {
        Timestamp: at.getTime(),
        CloudWatchMetrics: [
          {
            Namespace: METRIC_NAMESPACE,
            Dimensions: [['Deployment']],
            Metrics: [
              { Name: 'FailedItems', Unit: 'Count' },
              { Name: 'GuardTripped', Unit: 'Count' },
            ],
          },
        ],
      },
      Deployment: 'idsync-staging',
      FailedItems: 3,
      GuardTripped: 0,
    });
    // EMF needs the record to be plain JSON.
    expect(JSON.parse(JSON.stringify(fields))).toEqual(fields);
  });

  it('names which job emits each metric', () => {
    expect(
      Object.fromEntries(Object.entries(IDSYNC_METRICS).map(([n, m]) => [n, m.emittedBy])),
    ).toEqual({
      FailedItems: 'worker',
      GuardTripped: 'plan',
      HeldTasks: 'plan',
      PartialSnapshot: 'snapshot',
      UnresolvedEvents: 'events',
    });
  });
});
