import type { ActivityDelta } from '../../shared/activity-record.js';
import type { PendingEvidence } from '../../shared/pending-events.js';

/**
 * The store of a LiveRecorder (services/activity/record-live-event.ts) that keeps what it is
 * given: every delta written, every pending evidence added.
 */
export function recordingLiveStore() {
  const recorded: ActivityDelta[] = [];
  const pending: PendingEvidence[] = [];
  const store = {
    async recordMany(deltas: readonly ActivityDelta[]) {
      recorded.push(...deltas);
      return deltas.map(() => 'written' as const);
    },
    async addPending(evidence: readonly PendingEvidence[]) {
      pending.push(...evidence);
    },
  };
  return { store, recorded, pending };
}
