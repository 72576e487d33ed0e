import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type LookupPage,
  type LookupRequest,
  NextTokenRefusedError,
  type QuickSightEventLookup,
} from '../../../services/activity/cloudtrail-lookup.js';
import { userDirectory } from '../../../services/activity/resolve-users.js';
import { CursorMovedError, runActivitySync } from '../../../services/activity/run-activity-sync.js';
import {
  type ActivityDelta,
  type ActivityRecord,
  activityKey,
  type MergeOptions,
  mergeActivity,
} from '../../../shared/activity-record.js';
import type { SyncCursor, SyncWindow } from '../../../shared/dynamo/activity-store.js';
import { ClockSkewError } from '../../../shared/errors.js';
import { combinePending, type PendingEvidence } from '../../../shared/pending-events.js';

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
  constructor(
    private readonly events: Record<string, unknown>[],
    private readonly pageSize = 50,
  ) {
    const text = (e: Record<string, unknown>, k: string) => String(e[k]);
    events.sort(
      (a, b) =>
        text(b, 'eventTime').localeCompare(text(a, 'eventTime')) ||
        text(b, 'eventID').localeCompare(text(a, 'eventID')),
    );
  }
  async lookup(r: LookupRequest): Promise<LookupPage> {
    this.calls++;
    if (r.nextToken && this.refuseTokens) throw new NextTokenRefusedError('expired');
    const inRange = this.events.filter(
      (e) =>
        Date.parse(String(e.eventTime)) >= r.from.getTime() &&
        Date.parse(String(e.eventTime)) <= r.to.getTime(),
    );
    const start = r.nextToken ? Number(r.nextToken) : 0;
    const page = inRange.slice(start, start + this.pageSize);
    for (const e of page) this.seen.push(String(e.eventID));
    return {
      records: page,
      ...(start + this.pageSize < inRange.length
        ? { nextToken: String(start + this.pageSize) }
        : {}),
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
  readonly pending = new Map<string, PendingEvidence>();
  async addPending(evidence: readonly PendingEvidence[]) {
    for (const e of evidence) {
      const known = this.pending.get(e.idcUserId);
      this.pending.set(e.idcUserId, known ? combinePending(known, e) : e);
    }
  }
  async recordMany(deltas: readonly ActivityDelta[], options: MergeOptions = {}) {
    return deltas.map((d) => {
      const key = activityKey(d.namespace, d.userName);
      const next = mergeActivity(this.records.get(key), d, new Date(NOW).toISOString(), options);
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
const ports = (
  lookup: FakeLookup,
  store: FakeStore,
  shouldStop?: () => boolean,
  now: number = NOW,
) => ({
  lookup,
  store,
  directory: userDirectory({ get: async () => undefined }, [], 'default'),
  attribution: { accountId: '123456789012', namespace: 'default', ignoredPrincipals: [] },
  clock: () => new Date(now),
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
      addPending: (e: readonly PendingEvidence[]) => store.addPending(e),
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

describe('runActivitySync: no lost newest time (the flush of coalesced evidence)', () => {
  const key = (session: string) => activityKey('default', `${ROLE}/${session}`);

  it('an event less than an hour after the recorded newest one still moves the record', async () => {
    const lookup = new FakeLookup([
      record(1, 2 * 3_600, 'p1@example.com'),
      record(2, 3_600, 'p1@example.com'), // 60 minutes later: within the coalescing hour
    ]);
    const store = new FakeStore();
    // The first sync ends before the second event (the clock an hour back).
    await runActivitySync(ports(lookup, store, undefined, NOW - 3_600_000), { days: 90 });
    expect(store.records.get(key('p1@example.com'))?.last?.at).toBe(
      new Date(NOW - 2 * 3_600_000).toISOString(),
    );
    const out = await runActivitySync(ports(lookup, store), { days: 90 });
    expect(out.written).toBe(1);
    expect(store.records.get(key('p1@example.com'))?.last?.at).toBe(
      new Date(NOW - 3_600_000).toISOString(),
    );
  });

  it('a newest time is written with its page: a run killed after it keeps it', async () => {
    const evs = [
      record(1, 4_600, 'p1@example.com'), // read by the first run
      record(2, 1_100, 'p1@example.com'), // 58 minutes later, on the catch-up's first page
      ...Array.from({ length: 3 }, (_, i) => record(10 + i, 2_000 + i, `q${i}@example.com`)),
    ];
    const lookup = new FakeLookup(evs, 2);
    const store = new FakeStore();
    await runActivitySync(ports(lookup, store, undefined, NOW - 3_600_000), { days: 90 });
    // The second page never comes back: the process dies there (nothing after it runs).
    let calls = 0;
    let reached!: () => void;
    const atSecondPage = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const dying: QuickSightEventLookup = {
      lookup: (r) => {
        if (++calls === 1) return lookup.lookup(r);
        reached();
        return new Promise(() => undefined);
      },
    };
    void runActivitySync({ ...ports(lookup, store), lookup: dying }, { days: 90 });
    await atSecondPage;
    expect(store.records.get(key('p1@example.com'))?.last?.at).toBe(
      new Date(NOW - 1_100_000).toISOString(),
    );
  });

  it('for any page split and any sync schedule, last/first are the true newest/oldest', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1_200, max: 21_600 })),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 21_600 }),
        async (drawn, pageSize, firstSyncAgo) => {
          const evs = drawn.map(([who, ago], i) => record(i, ago, `p${who}@example.com`));
          const lookup = new FakeLookup([...evs], pageSize);
          const store = new FakeStore();
          await runActivitySync(ports(lookup, store, undefined, NOW - firstSyncAgo * 1000), {
            days: 90,
          });
          await runActivitySync(ports(lookup, store), { days: 90 });
          for (const who of new Set(drawn.map(([w]) => w))) {
            const times = evs
              .filter((e) => e.userIdentity.arn.endsWith(`/p${who}@example.com`))
              .map((e) => Date.parse(e.eventTime));
            const rec = store.records.get(key(`p${who}@example.com`));
            expect(rec?.last?.at).toBe(new Date(Math.max(...times)).toISOString());
            expect(rec?.first?.at).toBe(new Date(Math.min(...times)).toISOString());
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('runActivitySync: on-behalf-of events of an IdC user nobody knows yet', () => {
  it('are kept pending with the page, counted, never dropped', async () => {
    const obo = (id: number, secondsAgo: number) => ({
      ...record(id, secondsAgo, 'unused'),
      userIdentity: {
        type: 'IdentityCenterUser',
        onBehalfOf: {
          userId: 'u-new',
          identityStoreArn: 'arn:aws:identitystore::1:identitystore/d-1',
        },
      },
    });
    const lookup = new FakeLookup([
      obo(1, 7_200),
      obo(2, 3_600),
      record(3, 3_000, 'p1@example.com'),
    ]);
    const store = new FakeStore();
    const out = await runActivitySync(ports(lookup, store), { days: 90 });
    expect(out).toMatchObject({ caughtUp: true, attributed: 1, unresolved: 2, pending: 2 });
    expect(store.pending.get('u-new')).toMatchObject({
      events: 2,
      newest: { at: new Date(NOW - 3_600_000).toISOString() },
      oldest: { at: new Date(NOW - 7_200_000).toISOString() },
    });
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
