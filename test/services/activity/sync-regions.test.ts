import { describe, expect, it } from 'vitest';
import type {
  LookupPage,
  QuickSightEventLookup,
} from '../../../services/activity/cloudtrail-lookup.js';
import { userDirectory } from '../../../services/activity/resolve-users.js';
import { runActivitySyncRegions } from '../../../services/activity/sync-regions.js';
import { quickSightEvent } from '../../../services/sandbox/cloudtrail/quicksight-events.js';
import type { ActivityDelta, Span } from '../../../shared/activity-record.js';
import {
  intersectSpans,
  type RegionCursorPort,
  type SyncCursor,
} from '../../../shared/dynamo/activity-store.js';
import { ClockSkewError, RemoteServiceError, UsageError } from '../../../shared/errors.js';

/**
 * runActivitySyncRegions through its ports: each region's lookup answers empty pages at the
 * service's time, or fails; an in-memory store keeps a cursor per region and the regions list.
 */

const NOW = Date.parse('2026-11-30T12:00:00Z');

class MemoryStore {
  readonly cursors = new Map<string, SyncCursor>();
  regions: readonly string[] = [];
  readonly adopted: string[] = [];
  async putSyncRegions(regions: readonly string[]) {
    this.regions = [...regions];
  }
  cursorOf(region: string, options: { adoptLegacy?: boolean } = {}): RegionCursorPort {
    if (options.adoptLegacy) this.adopted.push(region);
    return {
      getCursor: async () => this.cursors.get(region) ?? { updatedAt: '', version: 0 },
      putCursor: async (previous, next) => {
        const stored = { ...next, updatedAt: '', version: previous.version + 1 };
        this.cursors.set(region, stored);
        return stored;
      },
    };
  }
  readonly recorded: ActivityDelta[] = [];
  async recordMany(deltas: readonly ActivityDelta[]) {
    this.recorded.push(...deltas);
    return [];
  }
  async addPending() {}
  async coverage(regions?: readonly string[]) {
    const span = intersectSpans((regions ?? this.regions).map((r) => this.cursors.get(r)?.covered));
    return span ? { cloudtrail: span } : {};
  }
}

const answering = (serviceMs = NOW): QuickSightEventLookup => ({
  lookup: async (): Promise<LookupPage> => ({ records: [], serviceTime: new Date(serviceMs) }),
  serviceTime: async () => new Date(serviceMs),
});
const failing = (error: unknown): QuickSightEventLookup => ({
  lookup: async () => {
    throw error;
  },
  serviceTime: async () => {
    throw error;
  },
});

const ports = (
  store: MemoryStore,
  regions: { region: string; accountId?: string; lookup: QuickSightEventLookup }[],
) => ({
  regions,
  store,
  legacyRegion: 'us-east-1',
  directory: userDirectory({ get: async () => undefined }, [], 'default'),
  attribution: { accountId: '123456789012', namespace: 'default', ignoredPrincipals: [] },
  clock: () => new Date(NOW),
});

describe('runActivitySyncRegions', () => {
  it('reads every region with its own cursor; the account is covered where all are', async () => {
    const store = new MemoryStore();
    const west: Span = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-25T00:00:00.000Z' };
    store.cursors.set('eu-west-1', { covered: west, updatedAt: '', version: 3 });
    const out = await runActivitySyncRegions(
      ports(store, [
        { region: 'us-east-1', lookup: answering() },
        { region: 'eu-west-1', lookup: answering() },
      ]),
      { days: 30 },
    );
    expect(store.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(store.adopted).toEqual(['us-east-1']);
    expect(out.failed).toEqual([]);
    expect(out.caughtUp).toBe(true);
    expect(out.regions.map((r) => r.region)).toEqual(['us-east-1', 'eu-west-1']);
    // The new region backfilled; the known one read back to 30 days and caught up.
    expect(out.windows.map((w) => `${w.region} ${w.kind}`).sort()).toEqual([
      'eu-west-1 backfill',
      'eu-west-1 catch-up',
      'us-east-1 backfill',
    ]);
    // Both now reach now − 15 min; the account starts where the later of the two starts.
    expect(out.covered).toEqual({
      from: '2026-10-31T12:00:00.000Z',
      to: '2026-11-30T11:45:00.000Z',
    });
  });

  it('a region that fails is named with its error; the others finish; coverage stops at it', async () => {
    const store = new MemoryStore();
    const west: Span = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-25T00:00:00.000Z' };
    store.cursors.set('eu-west-1', { covered: west, updatedAt: '', version: 3 });
    const out = await runActivitySyncRegions(
      ports(store, [
        { region: 'us-east-1', lookup: answering() },
        {
          region: 'eu-west-1',
          lookup: failing(new RemoteServiceError('CloudTrail', 'LookupEvents failed: 503')),
        },
      ]),
      { days: 30 },
    );
    expect(out.failed).toEqual(['eu-west-1']);
    expect(out.caughtUp).toBe(false);
    expect(out.regions[1]).toEqual({
      region: 'eu-west-1',
      error: 'CloudTrail: LookupEvents failed: 503',
    });
    expect(out.regions[0]?.summary?.caughtUp).toBe(true);
    expect(out.covered).toEqual({ from: '2026-11-01T00:00:00.000Z', to: west.to });
  });

  it("reads each QuickSight account's history under its own cursor and attributes within it", async () => {
    const HOME = '123456789012';
    const B = '222222222222';
    const store = new MemoryStore();
    // B's history holds one view by alice of B's `sales` namespace.
    const view = quickSightEvent({
      accountId: B,
      region: 'us-east-1',
      time: new Date(NOW - 3_600_000),
      eventName: 'GetDashboard',
      actor: { kind: 'native', userName: 'alice' },
    }) as unknown as Record<string, unknown>;
    view.userIdentity = {
      type: 'Unknown',
      arn: `arn:aws:quicksight:us-east-1:${B}:user/sales/alice`,
    };
    let served = false;
    const bHistory: QuickSightEventLookup = {
      lookup: async () => {
        const records = served ? [] : [view];
        served = true;
        return { records, serviceTime: new Date(NOW) };
      },
      serviceTime: async () => new Date(NOW),
    };
    const scopes = [
      { accountId: HOME, namespace: 'default', key: 'default' },
      { accountId: B, namespace: 'sales', key: `${B}/sales` },
    ];
    const out = await runActivitySyncRegions(
      {
        ...ports(store, [
          { region: 'us-east-1', lookup: answering() },
          { region: 'us-east-1', accountId: B, lookup: bHistory },
        ]),
        attribution: { accountId: HOME, namespace: 'default', scopes, ignoredPrincipals: [] },
      },
      { days: 30 },
    );
    expect(store.regions).toEqual(['us-east-1', `${B}/us-east-1`]);
    // Only the home account's lane starts from the cursor of earlier versions.
    expect(store.adopted).toEqual(['us-east-1']);
    expect(out.failed).toEqual([]);
    expect(store.cursors.get(`${B}/us-east-1`)?.covered).toBeDefined();
    expect(store.recorded.map((d) => `${d.namespace}#${d.userName}`)).toContain(`${B}/sales#alice`);
    expect(store.recorded.every((d) => d.namespace === `${B}/sales`)).toBe(true);
  });

  it('throws a clock skew, a setup problem or a bug once every region stopped', async () => {
    const fast = answering(NOW - 3 * 86_400_000);
    const store = new MemoryStore();
    await expect(
      runActivitySyncRegions(
        ports(store, [
          { region: 'us-east-1', lookup: answering() },
          { region: 'eu-west-1', lookup: fast },
        ]),
        { days: 30 },
      ),
    ).rejects.toBeInstanceOf(ClockSkewError);
    // The healthy region finished first (nothing of the skewed one was saved).
    expect(store.cursors.get('us-east-1')?.covered).toBeDefined();
    expect(store.cursors.get('eu-west-1')).toBeUndefined();
    for (const error of [new UsageError('setup'), new TypeError('bug')])
      await expect(
        runActivitySyncRegions(
          ports(new MemoryStore(), [{ region: 'us-east-1', lookup: failing(error) }]),
          {
            days: 30,
          },
        ),
      ).rejects.toBe(error);
  });
});
