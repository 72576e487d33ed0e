import { describe, expect, it } from 'vitest';
import {
  type InactiveDeps,
  selectInactiveUsers,
} from '../../../../services/removals/idle/run-inactive.js';
import { type ActivityRecord, activityKey, type Span } from '../../../../shared/activity-record.js';
import type { LedgerEntry, QuickSightUser } from '../../../../shared/domain.js';
import type { GoogleRow, SnapshotManifest } from '../../../../shared/dynamo/snapshot-store.js';
import { PartialSnapshotError, UsageError } from '../../../../shared/errors.js';
import { iamUser, READER_ROLE_NAME } from '../plan/builders.js';

/** The shell of `idsync inactive` on in-memory stores: the exit-2 rule and the keep groups. */

const DAY = 86_400_000;
const now = new Date('2026-12-02T10:00:00.000Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
const ns = 'default';
const KEEP = 'reports@example.com';

const users = ['active', 'quiet', 'mailed'].map((n) =>
  iamUser(READER_ROLE_NAME, `${n}@example.com`),
);
const [active, quiet, mailed] = users as [QuickSightUser, QuickSightUser, QuickSightUser];

function record(user: QuickSightUser, over: Partial<ActivityRecord>): ActivityRecord {
  const key = activityKey(ns, user.userName);
  return {
    userKey: key,
    namespace: ns,
    userName: user.userName,
    spans: {},
    updatedAt: ago(0),
    version: 1,
    ...over,
  };
}

interface World {
  cloudtrail?: Span;
  /** Coverage per account (`undefined` key: the home account). */
  byAccount?: Record<string, Span>;
  users?: QuickSightUser[];
  records?: ActivityRecord[];
  keepGroups?: Record<string, number>;
  keepRows?: GoogleRow[];
}

function deps(w: World): InactiveDeps {
  const listed = w.users ?? users;
  const manifest: SnapshotManifest = {
    runId: 'snap-1',
    startedAt: ago(100),
    status: 'COMPLETE',
    sources: {
      google: { count: 3, pages: 1, ...(w.keepGroups ? { keepGroups: w.keepGroups } : {}) },
    },
  };
  const ledger: LedgerEntry[] = listed.map((u) => ({
    email: u.email ?? '',
    googleId: 'g',
    groups: ['readers@example.com'],
    firstSeenAsMember: ago(100),
    lastSeenAsMember: ago(0),
    lastSeenRunId: 'snap-1',
  }));
  return {
    snapshots: {
      async *manifests() {
        yield manifest;
      },
      async *quickSightUsers() {
        yield listed;
      },
      async *keepGroupRows() {
        yield w.keepRows ?? [];
      },
    },
    ledger: {
      async *entries() {
        yield ledger;
      },
    },
    activity: {
      async *all() {
        yield w.records ?? [];
      },
      coverage: async () => (w.cloudtrail ? { cloudtrail: w.cloudtrail } : {}),
      coverageOfAccount: async (account) => {
        const span = w.byAccount?.[account ?? 'home'];
        return span ? { cloudtrail: span } : {};
      },
      pendingEvents: async () => [],
    },
    identities: {
      get: async () => undefined,
      findByEmail: async () => [],
    },
  };
}

const options = (keepGroups: string[] = []) => ({
  namespace: ns,
  days: 60,
  roles: ['READER'],
  keepGroups,
  now,
});

async function thrown(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('selectInactiveUsers', () => {
  const activeRecord = record(active, {
    last: { at: ago(5), eventName: 'GetDashboard', source: 'cloudtrail' },
  });

  it('exits 2 when 30 days of CloudTrail are asked for 60, though a user was active in them', async () => {
    const error = await thrown(
      selectInactiveUsers(
        deps({ cloudtrail: { from: ago(30), to: ago(0.01) }, records: [activeRecord] }),
        options(),
      ),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(
      /asked for 60 days without activity.*covers only 29 days/,
    );
  });

  it('judges when the record covers the days: 60 days of CloudTrail, or one user’s import', async () => {
    const full = await selectInactiveUsers(
      deps({ cloudtrail: { from: ago(60.01), to: ago(0.01) }, records: [activeRecord] }),
      options(),
    );
    expect(full.selection.counts).toMatchObject({ judged: 3, idle: 2, active: 1, covered: 3 });
    const imported = record(quiet, {
      last: { at: ago(80), eventName: 'LastActive', source: 'import' },
      spans: { import: { from: ago(80), to: ago(20) } },
    });
    const some = await selectInactiveUsers(
      deps({ cloudtrail: { from: ago(30), to: ago(0.01) }, records: [activeRecord, imported] }),
      options(),
    );
    expect(some.selection.counts).toMatchObject({ covered: 1, idle: 1, uncovered: 1, active: 1 });
    expect(some.selection.idle.map((u) => u.email)).toEqual(['quiet@example.com']);
  });

  it('keeps the members of a keep group the snapshot listed', async () => {
    const out = await selectInactiveUsers(
      deps({
        cloudtrail: { from: ago(90), to: ago(0.01) },
        keepGroups: { [KEEP]: 1, 'other@example.com': 1 },
        keepRows: [
          {
            group: KEEP,
            email: 'mailed@example.com',
            rawEmail: 'Mailed@example.com',
            googleId: 'm',
          },
          { group: 'other@example.com', email: 'quiet@example.com', rawEmail: 'q', googleId: 'q' },
        ],
      }),
      options([KEEP]),
    );
    // Only the configured keep groups count, though the snapshot listed another.
    expect(out.selection.kept.map((u) => u.email)).toEqual([mailed.email]);
    expect(out.selection.idle.map((u) => u.email)).toEqual([
      'active@example.com',
      'quiet@example.com',
    ]);
  });

  it('judges nobody when the snapshot did not list a keep group, or listed it empty (exit 3)', async () => {
    const world = { cloudtrail: { from: ago(90), to: ago(0.01) } };
    const unlisted = await thrown(selectInactiveUsers(deps(world), options([KEEP])));
    expect(unlisted).toBeInstanceOf(PartialSnapshotError);
    expect((unlisted as Error).message).toContain(`did not list keep group ${KEEP}`);
    const empty = await thrown(
      selectInactiveUsers(deps({ ...world, keepGroups: { [KEEP]: 0 } }), options([KEEP])),
    );
    expect(empty).toBeInstanceOf(PartialSnapshotError);
    expect((empty as Error).message).toContain('listed no members');
    // Without keep groups configured, the same snapshot is fine.
    await expect(selectInactiveUsers(deps(world), options())).resolves.toBeDefined();
  });
});

describe('selectInactiveUsers across QuickSight accounts', () => {
  const HOME = '111111111111';
  const B = '222222222222';
  const scopes = [
    { accountId: HOME, namespace: ns, key: ns },
    { accountId: B, namespace: 'sales', key: `${B}/sales`, roleArn: `arn:aws:iam::${B}:role/r` },
  ];
  const inB = (u: QuickSightUser): QuickSightUser => ({ ...u, scope: `${B}/sales` });
  const homeQuiet = iamUser(READER_ROLE_NAME, 'hq@example.com');
  const bQuiet = inB(iamUser(READER_ROLE_NAME, 'bq@example.com'));
  const bActive = inB(iamUser(READER_ROLE_NAME, 'ba@example.com'));
  const world = [homeQuiet, bQuiet, bActive];
  // bActive's activity is kept under B's key; a record of the same name under the home key
  // (another person's) must not count for it.
  const bActiveRecord: ActivityRecord = {
    ...record(bActive, { last: { at: ago(3), eventName: 'GetDashboard', source: 'cloudtrail' } }),
    userKey: activityKey(`${B}/sales`, bActive.userName),
    namespace: `${B}/sales`,
  };
  const covered = { from: ago(60.01), to: ago(0.01) };
  const scoped = { ...options(), homeAccountId: HOME, scopes };

  it("judges each account's users by its own coverage and activity under its scope key", async () => {
    const out = await selectInactiveUsers(
      deps({ users: world, records: [bActiveRecord], byAccount: { home: covered, [B]: covered } }),
      scoped,
    );
    expect(out.selection.idle.map((u) => u.email).sort()).toEqual([
      'bq@example.com',
      'hq@example.com',
    ]);
    expect(out.selection.counts).toMatchObject({ judged: 3, idle: 2, active: 1 });
    // The scope goes with each idle user, for its notice (services/notices/notice-steps.ts).
    expect(out.selection.idle.map((u) => [u.email, u.scope])).toEqual([
      ['hq@example.com', undefined],
      ['bq@example.com', `${B}/sales`],
    ]);
  });

  it('never judges idle the users of an account without coverage', async () => {
    // The home account's 60 days are covered; B was never synced (no lanes of its own).
    const out = await selectInactiveUsers(
      deps({
        users: world,
        records: [bActiveRecord],
        cloudtrail: covered,
        byAccount: { home: covered },
      }),
      scoped,
    );
    expect(out.selection.idle.map((u) => u.email)).toEqual(['hq@example.com']);
    expect(out.selection.counts).toMatchObject({ idle: 1, active: 1, uncovered: 1 });
  });
});
