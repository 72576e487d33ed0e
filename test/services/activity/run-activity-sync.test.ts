import { describe, expect, it } from 'vitest';
import { userDirectory } from '../../../services/activity/resolve-users.js';
import { CursorMovedError, runActivitySync } from '../../../services/activity/run-activity-sync.js';
import {
  type ActivityDelta,
  type ActivityRecord,
  activityKey,
  mergeActivity,
} from '../../../shared/activity-record.js';
import {
  type LookupPage,
  type LookupRequest,
  NextTokenRefusedError,
  type QuickSightEventLookup,
} from '../../../shared/aws/cloudtrail-lookup.js';
import type { SyncCursor, SyncWindow } from '../../../shared/dynamo/activity-store.js';
import { ClockSkewError } from '../../../shared/errors.js';

/**
 * runActivitySync through its ports: an in-memory LookupEvents (newest first, whole-second
 * times, inclusive bounds, tokens it can refuse) and an in-memory activity store with the
 * store's version rule. The DynamoDB store and the stand-in have their own tests.
 */

const NOW = Date.parse('2026-11-30T12:00:00Z');
const ROLE = 'AWSReservedSSO_QuickSightReader_1';

function record(id: number, secondsAgo: number, session: string) {
  return {
    eventID: `e${String(id).padStart(5, '0')}`,
    eventTime: new Date(NOW - secondsAgo * 1000).toISOString().replace('.000', ''),
    eventSource: 'quicksight.amazonaws.com',
    eventName: 'GetDashboard',
    recipientAccountId: '123456789012',
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::123456789012:assumed-role/${ROLE}/${session}`,
    },
  };
}

class FakeLookup implements QuickSightEventLookup {
  calls = 0;
  refuseTokens = false;
  readonly seen: string[] = [];
  constructor(private readonly events: ReturnType<typeof record>[]) {
    events.sort(
      (a, b) => b.eventTime.localeCompare(a.eventTime) || b.eventID.localeCompare(a.eventID),
    );
  }
  async lookup(r: LookupRequest): Promise<LookupPage> {
    this.calls++;
    if (r.nextToken && this.refuseTokens) throw new NextTokenRefusedError('expired');
    const inRange = this.events.filter(
      (e) =>
        Date.parse(e.eventTime) >= r.from.getTime() && Date.parse(e.eventTime) <= r.to.getTime(),
    );
    const start = r.nextToken ? Number(r.nextToken) : 0;
    const page = inRange.slice(start, start + 50);
    for (const e of page) this.seen.push(e.eventID);
    return {
      records: page,
      ...(start + 50 < inRange.length ? { nextToken: String(start + 50) } : {}),
    };
  }
}

class FakeStore {
  cursor: SyncCursor = { updatedAt: '', version: 0 };
  readonly records = new Map<string, ActivityRecord>();
  writes = 0;
  async getCursor() {
    return this.cursor;
  }
  async putCursor(
    previous: SyncCursor,
    next: { covered?: SyncCursor['covered']; window?: SyncWindow },
  ) {
    if (previous.version !== this.cursor.version) return undefined;
    this.cursor = {
      ...next,
      updatedAt: new Date(NOW).toISOString(),
      version: previous.version + 1,
    };
    return this.cursor;
  }
  async recordMany(deltas: readonly ActivityDelta[]) {
    return deltas.map((d) => {
      const key = activityKey(d.namespace, d.userName);
      const next = mergeActivity(this.records.get(key), d, new Date(NOW).toISOString());
      if (!next) return 'unchanged' as const;
      this.records.set(key, next);
      this.writes++;
      return 'written' as const;
    });
  }
}

// 500 events by 40 people, 7 in each second used, so seconds straddle page boundaries.
const events = Array.from({ length: 500 }, (_, i) =>
  record(i, 3_600 + Math.floor(i / 7) * 5_000, `p${i % 40}@example.com`),
);
const ports = (lookup: FakeLookup, store: FakeStore, shouldStop?: () => boolean) => ({
  lookup,
  store,
  directory: userDirectory({ get: async () => undefined }, [], 'default'),
  attribution: { accountId: '123456789012', namespace: 'default', ignoredPrincipals: [] },
  clock: () => new Date(NOW),
  ...(shouldStop ? { shouldStop } : {}),
});

describe('runActivitySync', () => {
  it('reads every event once in 10 pages, then covers the window', async () => {
    const lookup = new FakeLookup([...events]);
    const store = new FakeStore();
    const out = await runActivitySync(ports(lookup, store), { days: 90 });
    expect(out).toMatchObject({ caughtUp: true, pages: 10, events: 500, attributed: 500 });
    expect(new Set(lookup.seen).size).toBe(500);
    expect(lookup.seen).toHaveLength(500);
    expect(store.records.size).toBe(40);
    expect(store.cursor.window).toBeUndefined();
    expect(store.cursor.covered).toBeDefined();
  });

  it('stops between pages on request, and the next run resumes where it stopped', async () => {
    const lookup = new FakeLookup([...events]);
    const store = new FakeStore();
    let pages = 0;
    const first = await runActivitySync(
      { ...ports(lookup, store, () => pages >= 3), onPage: () => pages++ },
      { days: 90 },
    );
    expect(first).toMatchObject({ stopped: true, caughtUp: false, pages: 3 });
    expect(store.cursor.covered).toBeUndefined();
    const second = await runActivitySync(ports(lookup, store), { days: 90 });
    expect(second).toMatchObject({ resumed: true, caughtUp: true, pages: 7 });
    expect(lookup.seen).toHaveLength(500);
    expect(new Set(lookup.seen).size).toBe(500);
  });

  it('a refused NextToken continues below the oldest event read, skipping ids already read', async () => {
    const lookup = new FakeLookup([...events]);
    const store = new FakeStore();
    let pages = 0;
    await runActivitySync(
      { ...ports(lookup, store, () => pages >= 2), onPage: () => pages++ },
      { days: 90 },
    );
    lookup.refuseTokens = true;
    const out = await runActivitySync(ports(lookup, store), { days: 90 });
    expect(out.tokensRefused).toBeGreaterThan(0);
    expect(out.caughtUp).toBe(true);
    // Each event processed once: the fallback re-reads only the boundary second, whose ids are skipped.
    expect(out.events + 100).toBe(500);
    expect(new Set(lookup.seen).size).toBe(500);
  });

  it('stops when another sync moved the cursor', async () => {
    const lookup = new FakeLookup([...events]);
    const store = new FakeStore();
    const racing = {
      ...store,
      getCursor: () => store.getCursor(),
      recordMany: (d: readonly ActivityDelta[]) => store.recordMany(d),
      putCursor: async (previous: SyncCursor, next: { window?: SyncWindow }) => {
        if (previous.version >= 1)
          store.cursor = { ...store.cursor, version: store.cursor.version + 1 };
        return store.putCursor(previous, next);
      },
    };
    await expect(
      runActivitySync({ ...ports(lookup, store), store: racing }, { days: 90 }),
    ).rejects.toBeInstanceOf(CursorMovedError);
  });
});

/** The fake LookupEvents with CloudTrail's clock: `serviceMs` is what its `Date` says. */
class ClockedLookup extends FakeLookup {
  constructor(
    events: ReturnType<typeof record>[],
    public serviceMs: number,
  ) {
    super(events);
  }
  async serviceTime() {
    this.calls++;
    return new Date(this.serviceMs);
  }
  override async lookup(r: LookupRequest): Promise<LookupPage> {
    return { ...(await super.lookup(r)), serviceTime: new Date(this.serviceMs) };
  }
}

describe("runActivitySync: CloudTrail's clock bounds the record", () => {
  const DAY = 86_400_000;
  const LAG = 15 * 60_000;

  it('refuses a local clock 3 days ahead before saving anything (ClockSkewError)', async () => {
    const lookup = new ClockedLookup([...events], NOW - 3 * DAY);
    const store = new FakeStore();
    const run = runActivitySync(ports(lookup, store), { days: 90 });
    await expect(run).rejects.toBeInstanceOf(ClockSkewError);
    await expect(run).rejects.toThrow(/3 days ahead of CloudTrail's/);
    expect(store.cursor.version).toBe(0);
    expect(store.writes).toBe(0);
    expect(lookup.calls).toBe(1);
  });

  it('refuses a clock that drifts off mid-run before that page is saved', async () => {
    const lookup = new ClockedLookup([...events], NOW);
    const store = new FakeStore();
    let pages = 0;
    const run = runActivitySync(
      {
        ...ports(lookup, store),
        onPage: () => {
          pages++;
          if (pages === 2) lookup.serviceMs = NOW - 5 * 60_000 - 1000;
        },
      },
      { days: 90 },
    );
    await expect(run).rejects.toBeInstanceOf(ClockSkewError);
    expect(store.cursor.window?.pages).toBe(2);
    expect(store.cursor.covered).toBeUndefined();
  });

  it('plans from the service time: a local clock 4 minutes fast covers only to serviceTime − lag', async () => {
    const service = NOW - 4 * 60_000;
    const lookup = new ClockedLookup([...events], service);
    const store = new FakeStore();
    const out = await runActivitySync(ports(lookup, store), { days: 90 });
    expect(out).toMatchObject({ caughtUp: true, clockSkewMs: 4 * 60_000 });
    expect(out.serviceTime).toBe(new Date(service).toISOString());
    expect(Date.parse(store.cursor.covered?.to ?? '')).toBe(service - LAG);
  });

  it('drops a coverage an earlier fast clock left in the future, and reads the history again', async () => {
    const lookup = new ClockedLookup([...events], NOW);
    const store = new FakeStore();
    const future = new Date(NOW + 3 * DAY).toISOString();
    const from = new Date(NOW - 90 * DAY + 2 * 60_000).toISOString();
    store.cursor = {
      covered: { from, to: future },
      window: {
        from: future,
        to: new Date(NOW + 3 * DAY + 60_000).toISOString(),
        kind: 'catch-up',
        pages: 1,
        events: 0,
        nextToken: '50',
      },
      updatedAt: '',
      version: 4,
    };
    const out = await runActivitySync(ports(lookup, store), { days: 90 });
    expect(out).toMatchObject({ repaired: true, caughtUp: true, resumed: false, events: 500 });
    expect(new Set(lookup.seen).size).toBe(500);
    expect(store.cursor.covered?.to).toBe(new Date(NOW - LAG).toISOString());
  });
});
