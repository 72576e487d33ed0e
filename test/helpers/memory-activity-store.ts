import {
  type ActivityDelta,
  type ActivityRecord,
  activityKey,
  type MergeOptions,
  mergeActivity,
  type Span,
} from '../../shared/activity-record.js';
import {
  intersectSpans,
  type RegionCursorPort,
  type SyncCursor,
  type SyncWindow,
  type WriteOutcome,
} from '../../shared/dynamo/activity-store.js';
import {
  combinePending,
  type PendingEvents,
  type PendingEvidence,
} from '../../shared/pending-events.js';

/**
 * The activity table in memory, for tests that run `activity sync`, the idle rule and the
 * worker's re-judge many times (property tests): the same merge rule as
 * shared/dynamo/activity-store.ts (`mergeActivity`, coalesced writes, versions), the same cursor
 * condition (a put from a stale version is refused), pending items merged with
 * `combinePending`, and the account coverage as the intersection of the regions' spans.
 */
export class MemoryActivityStore {
  readonly records = new Map<string, ActivityRecord>();
  readonly pending = new Map<string, PendingEvents>();
  private readonly cursors = new Map<string, SyncCursor>();
  private regions: readonly string[] = [];

  constructor(private readonly clock: () => Date) {}

  async get(userKey: string): Promise<ActivityRecord | undefined> {
    return this.records.get(userKey);
  }

  async *all(): AsyncIterable<ActivityRecord[]> {
    yield [...this.records.values()];
  }

  async recordMany(
    deltas: readonly ActivityDelta[],
    options?: MergeOptions,
  ): Promise<WriteOutcome[]> {
    return deltas.map((delta) => {
      const key = activityKey(delta.namespace, delta.userName);
      const next = mergeActivity(this.records.get(key), delta, this.clock().toISOString(), options);
      if (!next) return 'unchanged';
      this.records.set(key, next);
      return 'written';
    });
  }

  async addPending(evidence: readonly PendingEvidence[]): Promise<void> {
    for (const e of evidence) {
      const current = this.pending.get(e.idcUserId);
      const merged = current ? combinePending(current, e) : e;
      this.pending.set(e.idcUserId, {
        ...merged,
        updatedAt: this.clock().toISOString(),
        version: (current?.version ?? 0) + 1,
      });
    }
  }

  async pendingEvents(): Promise<PendingEvents[]> {
    return [...this.pending.values()];
  }

  async deletePending(item: Pick<PendingEvents, 'idcUserId' | 'version'>): Promise<boolean> {
    if (this.pending.get(item.idcUserId)?.version !== item.version) return false;
    this.pending.delete(item.idcUserId);
    return true;
  }

  async putSyncRegions(regions: readonly string[]): Promise<void> {
    this.regions = [...regions];
  }

  cursorOf(region: string): RegionCursorPort {
    return {
      getCursor: async () => this.cursors.get(region) ?? { updatedAt: '', version: 0 },
      putCursor: async (previous: SyncCursor, next: { covered?: Span; window?: SyncWindow }) => {
        if ((this.cursors.get(region)?.version ?? 0) !== previous.version) return undefined;
        const stored: SyncCursor = {
          ...(next.covered ? { covered: next.covered } : {}),
          ...(next.window ? { window: next.window } : {}),
          updatedAt: this.clock().toISOString(),
          version: previous.version + 1,
        };
        this.cursors.set(region, stored);
        return stored;
      },
    };
  }

  async coverage(regions?: readonly string[]): Promise<{ cloudtrail?: Span }> {
    const names = regions ?? this.regions;
    if (names.length === 0) return {};
    const span = intersectSpans(names.map((r) => this.cursors.get(r)?.covered));
    return span ? { cloudtrail: span } : {};
  }
}
