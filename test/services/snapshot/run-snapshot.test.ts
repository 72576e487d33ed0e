import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildOrg,
  demoOrg,
  SMALL_SPEC,
  smallOrg,
} from '../../../services/sandbox/scenarios/org.js';
import { mulberry32 } from '../../../services/sandbox/scenarios/random.js';
import { removePeople } from '../../../services/sandbox/sync-simulator.js';
import { runSnapshot } from '../../../services/snapshot/run-snapshot.js';
import {
  runCliOn,
  silentLogger,
  startTestSandbox,
  type TestSandbox,
} from '../../helpers/sandbox.js';

const deps = (t: TestSandbox) => ({ ...t.ports, ...t.stores, logger: silentLogger() });

describe('idsync snapshot on the demo organisation', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ org: demoOrg() });
  }, 120_000);
  afterAll(async () => t?.close());

  it('is COMPLETE with the sandbox counts, then marks deleted IdC users gone and still resolves them', async () => {
    const org = t.sandbox.org;
    const first = await runCliOn(t.sandbox, ['snapshot', '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result.manifest.status).toBe('COMPLETE');
    expect(result.manifest.sources.google.count).toBe(org.counts.entitledPeople);
    expect(result.manifest.sources.google.groups).toEqual(org.counts.groupMembers);
    expect(result.manifest.sources.idc.count).toBe(org.counts.idcUsers);
    expect(result.manifest.sources.quicksight.count).toBe(org.counts.quickSightUsers);
    expect(result.manifest.sources.quicksight.pages).toBe(
      Math.ceil(org.counts.quickSightUsers / 100),
    );
    expect(result.ledgerRecorded).toBe(org.counts.entitledPeople);

    const sync = removePeople(org, { count: 25 });
    expect(sync.deleted).toHaveLength(25);
    const second = await runCliOn(t.sandbox, ['snapshot', '--json']);
    expect(second.code).toBe(0);
    const after = JSON.parse(second.stdout);
    expect([...after.goneUserIds].sort()).toEqual(sync.deleted.map((u) => u.userId).sort());

    const gone = sync.deleted[0];
    if (!gone) throw new Error('no deleted user');
    const resolved = await runCliOn(t.sandbox, ['resolve', gone.userId]);
    expect(resolved.code).toBe(0);
    expect(resolved.stdout).toContain(gone.emails[0]?.value as string);
    expect(resolved.stdout).toMatch(/gone from IdC since/);
    const asJson = JSON.parse(
      (await runCliOn(t.sandbox, ['resolve', gone.userId, '--json'])).stdout,
    );
    expect(asJson).toMatchObject({ userId: gone.userId, userName: gone.userName });
    expect(asJson.goneAt).toBeTruthy();

    const unknown = await runCliOn(t.sandbox, ['resolve', '00000000-0000-0000-0000-000000000000']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/not in the identity map/);
  });
});

/** The seed of the fault draws in 'snapshot faults'. */
const FAULT_SEED = 1;

describe('snapshot faults', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  beforeAll(async () => {
    // Over 400 readers, so the readers group has a page 3 (200 per page). The stand-ins draw
    // their faults from one seeded generator: with one source throttled at a time, which of its
    // calls are throttled is the same every run.
    t = await startTestSandbox({
      org: buildOrg({ ...SMALL_SPEC, readers: 500 }, 3),
      random: mulberry32(FAULT_SEED),
    });
    const first = await runSnapshot(deps(t), { groups: t.sandbox.org.groups, retentionDays: 30 });
    expect(first.manifest.status).toBe('COMPLETE');
  }, 120_000);
  afterAll(async () => t?.close());

  it('Google page 3 failing persistently → PARTIAL, exit 3, nobody marked gone', async () => {
    const org = t.sandbox.org;
    removePeople(org, { count: 10 });
    t.sandbox.google.faults.configure({ failPage: { page: 3 } });
    try {
      const result = await runSnapshot(deps(t), { groups: org.groups, retentionDays: 30 });
      expect(result.manifest.status).toBe('PARTIAL');
      expect(result.manifest.reason).toMatch(/google/i);
      expect(result.goneUserIds).toEqual([]);
      const cli = await runCliOn(t.sandbox, ['snapshot']);
      expect(cli.code).toBe(3);
      expect(cli.stdout).toMatch(/PARTIAL/);
      const [latest] = await t.stores.snapshots.latestComplete();
      expect(latest?.runId).not.toBe(result.manifest.runId);
    } finally {
      t.sandbox.google.faults.configure({});
    }
    const healed = await runSnapshot(deps(t), { groups: org.groups, retentionDays: 30 });
    expect(healed.manifest.status).toBe('COMPLETE');
    expect(healed.goneUserIds).toHaveLength(10);
  });

  it('30 % throttling on IdC, then on QuickSight → still COMPLETE with correct counts', async () => {
    const org = t.sandbox.org;
    // Six pages each, every call retried up to 6 times (shared/retry.ts): at 30 % a call fails
    // all six once in 1,372, so the calls throttled come from the seeded generator (see beforeAll).
    for (const faults of [t.sandbox.identityStore.faults, t.sandbox.quickSight.faults]) {
      const before = faults.counters.throttled;
      faults.configure({ throttleRate: 0.3 });
      try {
        const result = await runSnapshot(deps(t), { groups: org.groups, retentionDays: 30 });
        expect(result.manifest.status, result.manifest.reason).toBe('COMPLETE');
        expect(result.manifest.sources.idc?.count).toBe(org.identityStore.size);
        expect(result.manifest.sources.quicksight?.count).toBe(org.quickSight.size);
      } finally {
        faults.configure({});
      }
      expect(faults.counters.throttled).toBeGreaterThan(before);
    }
  });
});

describe('snapshot of an emptied group', () => {
  it('records the empty group in the manifest instead of failing', async () => {
    const t = await startTestSandbox({ org: smallOrg() });
    try {
      const org = t.sandbox.org;
      org.google.clear(org.groupEmails.authors);
      const result = await runSnapshot(deps(t), { groups: org.groups, retentionDays: 30 });
      expect(result.manifest.status).toBe('COMPLETE');
      expect(result.emptyGroups).toEqual([org.groupEmails.authors]);
      expect(result.manifest.sources.google?.groups?.[org.groupEmails.authors]).toBe(0);
    } finally {
      await t.close();
    }
  });
});

describe('snapshot of an unchanged organisation', () => {
  it('stores one item per page and rewrites no identity record or ledger bucket', async () => {
    const t = await startTestSandbox({ org: smallOrg() });
    try {
      const org = t.sandbox.org;
      const options = { groups: org.groups, retentionDays: 30 };
      const first = await runSnapshot(deps(t), options);
      const second = await runSnapshot(deps(t), options);
      for (const r of [first, second]) {
        expect(r.manifest.status).toBe('COMPLETE');
        const pages = Object.values(r.manifest.sources).reduce((n, s) => n + (s?.pages ?? 0), 0);
        expect(r.itemsWritten.snapshots).toBeLessThanOrEqual(pages);
      }
      expect(first.itemsWritten.identities).toBe(org.identityStore.size);
      expect(first.itemsWritten.ledger).toBeGreaterThan(1);
      expect(second.itemsWritten).toMatchObject({ identities: 0, ledger: 1 });
      const members = new Set<string>();
      for await (const page of t.stores.snapshots.googleRows(second.manifest.runId))
        for (const row of page) members.add(row.email);
      expect(members.size).toBe(second.manifest.sources.google?.count);
      const record = await t.stores.identities.get(
        [...org.identityStore.list()][0]?.userId as string,
      );
      expect(record?.lastSeen).toBe(second.manifest.startedAt);
    } finally {
      await t.close();
    }
  });
});

describe('a snapshot that leaves its departures to the caller (`deferDepartures`)', () => {
  let t: TestSandbox;
  let first: Awaited<ReturnType<typeof runSnapshot>>;
  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    first = await runSnapshot(deps(t), { groups: t.sandbox.org.groups, retentionDays: 30 });
    expect(first.manifest.status).toBe('COMPLETE');
  }, 60_000);
  afterAll(async () => t?.close());
  const options = () => ({ groups: t.sandbox.org.groups, retentionDays: 30 });

  it('is COMPLETE with nobody marked; the map reads as of the listing before until `mark()`', async () => {
    const sync = removePeople(t.sandbox.org, { count: 3 });
    const ids = sync.deleted.map((u) => u.userId).sort();
    const result = await runSnapshot(deps(t), { ...options(), deferDepartures: true });
    expect(result.manifest.status).toBe('COMPLETE');
    expect(result.goneUserIds).toEqual([]);
    const before = await t.stores.identities.get(ids[0] as string);
    expect(before?.goneAt).toBeUndefined();
    // Seen by the first snapshot; the deferred listing is not the map's newest yet.
    const seen = before?.lastSeen as string;
    expect(seen >= first.manifest.startedAt && seen < result.manifest.startedAt).toBe(true);

    const marking = result.departures?.mark();
    expect(result.departures?.mark()).toBe(marking);
    expect([...((await marking) ?? [])].sort()).toEqual(ids);
    const after = await t.stores.identities.get(ids[0] as string);
    expect(after?.goneAt).toBeDefined();
    expect(after?.lastSeen).toBe(seen);
    const [listed] = (await t.ports.identityStore.listUsers()[Symbol.asyncIterator]().next())
      .value as Array<{ userId: string }>;
    const present = await t.stores.identities.get(listed?.userId as string);
    expect(present?.goneAt).toBeUndefined();
    expect(present?.lastSeen).toBe(result.manifest.startedAt);
  });

  it('left undone (a process killed after the manifest), the next COMPLETE snapshot marks them as last seen by the listing that showed them', async () => {
    const shown = await runSnapshot(deps(t), options());
    const sync = removePeople(t.sandbox.org, { count: 2 });
    const ids = sync.deleted.map((u) => u.userId).sort();
    const undone = await runSnapshot(deps(t), { ...options(), deferDepartures: true });
    expect(undone.manifest.status).toBe('COMPLETE');
    const next = await runSnapshot(deps(t), options());
    expect([...next.goneUserIds].sort()).toEqual(ids);
    const record = await t.stores.identities.get(ids[1] as string);
    expect(record?.goneAt).toBeDefined();
    expect(record?.lastSeen).toBe(shown.manifest.startedAt);
  });
});
