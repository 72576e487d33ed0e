import { describe, expect, it } from 'vitest';
import { SnapshotReading } from '../../../services/removals/snapshot-reading.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import type { GoogleRow, SnapshotManifest } from '../../../shared/dynamo/snapshot-store.js';

/**
 * The newest COMPLETE snapshot is read once per process and snapshot run: the plan's reading
 * serves the worker's before-delete checks (in `reconcile` the plan and the worker ran each a
 * full read of the same snapshot before), the idle selection's reading serves both, a snapshot
 * handed over by the process that took it is not read at all, and a newer COMPLETE snapshot is
 * read afresh.
 */

const manifest = (runId: string, startedAt: string, keepGroups?: Record<string, number>) =>
  ({
    runId,
    startedAt,
    status: 'COMPLETE',
    sources: { google: { groups: { 'g@x': 2 }, ...(keepGroups ? { keepGroups } : {}) } },
  }) as unknown as SnapshotManifest;

const user = (userName: string, email: string): QuickSightUser => ({
  userName,
  email,
  role: 'READER',
  identityType: 'QUICKSIGHT',
  arn: `arn:aws:quicksight:us-east-1:111122223333:user/default/${userName}`,
});

/** A snapshot store in memory that counts the row reads of each run. */
function countingSnapshots() {
  const runs: SnapshotManifest[] = [];
  const rows = new Map<
    string,
    { google: GoogleRow[]; users: QuickSightUser[]; keep: GoogleRow[] }
  >();
  const reads = {
    manifests: 0,
    google: new Map<string, number>(),
    users: new Map<string, number>(),
    keep: 0,
    failUsers: 0,
  };
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const member = (group: string, email: string) => ({ group, email, rawEmail: email }) as GoogleRow;
  return {
    reads,
    add(m: SnapshotManifest, members: string[], users: QuickSightUser[], keep: GoogleRow[] = []) {
      runs.unshift(m);
      rows.set(m.runId, { google: members.map((e) => member('g@x', e)), users, keep });
    },
    member,
    store: {
      async latestComplete(count = 1) {
        reads.manifests++;
        return runs.filter((m) => m.status === 'COMPLETE').slice(0, count);
      },
      async *manifests() {
        reads.manifests++;
        yield* runs;
      },
      async *googleRows(runId: string) {
        bump(reads.google, runId);
        yield rows.get(runId)?.google ?? [];
      },
      async *quickSightUsers(runId: string) {
        bump(reads.users, runId);
        if (reads.failUsers > 0) {
          reads.failUsers--;
          throw new Error('DynamoDB: throttled');
        }
        yield rows.get(runId)?.users ?? [];
      },
      async *keepGroupRows(runId: string) {
        reads.keep++;
        yield rows.get(runId)?.keep ?? [];
      },
    },
  };
}

describe('SnapshotReading', () => {
  it("reads the snapshot's rows once for the plan and the worker of one process", async () => {
    const s = countingSnapshots();
    s.add(manifest('r1', '2026-12-01T00:00:00.000Z'), ['a@x', 'b@x'], [user('READER/a@x', 'a@x')]);
    const reading = new SnapshotReading(s.store);
    const planning = await reading.forPlan();
    expect([...planning.currentMembers].sort()).toEqual(['a@x', 'b@x']);
    const view = await reading.forWorker();
    expect(view?.runId).toBe('r1');
    expect([...(view?.members ?? [])].sort()).toEqual(['a@x', 'b@x']);
    expect(view?.users.get('#READER/a@x')?.email).toBe('a@x');
    expect(view?.startedAt).toBe('2026-12-01T00:00:00.000Z');
    // One read of each row set for both uses; the worker asked only which run is the newest.
    expect(s.reads.google.get('r1')).toBe(1);
    expect(s.reads.users.get('r1')).toBe(1);
    // A second plan and apply in the same process (the worker Lambda's next invocation).
    await reading.forPlan();
    await reading.forWorker();
    expect(s.reads.google.get('r1')).toBe(1);
    expect(s.reads.users.get('r1')).toBe(1);
  });

  it('reads a newer COMPLETE snapshot afresh, for the worker as for the plan', async () => {
    const s = countingSnapshots();
    s.add(manifest('r1', '2026-12-01T00:00:00.000Z'), ['a@x'], [user('READER/a@x', 'a@x')]);
    const reading = new SnapshotReading(s.store);
    await reading.forPlan();
    // Another process completed a snapshot between this process's plan and its apply.
    s.add(manifest('r2', '2026-12-02T00:00:00.000Z'), ['a@x', 'c@x'], []);
    const view = await reading.forWorker();
    expect(view?.runId).toBe('r2');
    expect(view?.members.has('c@x')).toBe(true);
    expect(view?.users.size).toBe(0);
    expect(s.reads.google.get('r2')).toBe(1);
    // The plan sees the new pair (r2, r1) and reads it: never a stale decision.
    const planning = await reading.forPlan();
    expect(planning.latest.runId).toBe('r2');
    expect(planning.currentMembers.has('c@x')).toBe(true);
  });

  it("reads the keep groups' members with the view only when the snapshot listed keep groups", async () => {
    const s = countingSnapshots();
    s.add(manifest('r1', '2026-12-01T00:00:00.000Z'), ['a@x'], []);
    const plain = new SnapshotReading(s.store);
    await plain.forPlan();
    expect((await plain.forWorker())?.keepRows).toEqual([]);
    expect(s.reads.keep).toBe(0);

    const k = countingSnapshots();
    k.add(
      manifest('r1', '2026-12-01T00:00:00.000Z', { 'keep@x': 1 }),
      ['a@x'],
      [],
      [k.member('keep@x', 'k@x')],
    );
    const kept = new SnapshotReading(k.store);
    await kept.forPlan();
    const view = await kept.forWorker();
    expect(view?.keepRows).toEqual([{ group: 'keep@x', email: 'k@x' }]);
    expect(view?.keepGroups).toEqual({ 'keep@x': 1 });
    expect(k.reads.keep).toBe(1);
  });

  it('has no view without a COMPLETE snapshot, and a first view without a plan', async () => {
    const s = countingSnapshots();
    const reading = new SnapshotReading(s.store);
    expect(await reading.forWorker()).toBeUndefined();
    s.add(manifest('r1', '2026-12-01T00:00:00.000Z'), ['a@x'], []);
    expect((await reading.forWorker())?.runId).toBe('r1');
    expect(s.reads.google.get('r1')).toBe(1);
  });

  it('reads none of the rows of a snapshot handed over by the process that took it', async () => {
    const s = countingSnapshots();
    s.add(manifest('r1', '2026-12-01T00:00:00.000Z'), ['a@x', 'b@x'], []);
    const taken = manifest('r2', '2026-12-02T00:00:00.000Z', { 'keep@x': 1 });
    const keep = [s.member('keep@x', 'k@x')];
    const users = [user('READER/a@x', 'a@x')];
    s.add(taken, ['a@x', 'c@x'], users, keep);
    const reading = new SnapshotReading(s.store);
    reading.handOver(taken, {
      google: [s.member('g@x', 'a@x'), s.member('g@x', 'c@x')],
      keep,
      quickSight: users,
    });
    const planning = await reading.forPlan();
    expect(planning.latest.runId).toBe('r2');
    expect([...planning.currentMembers].sort()).toEqual(['a@x', 'c@x']);
    expect(planning.memberGroups.get('c@x')).toEqual(['g@x']);
    expect(planning.quickSightUsers).toEqual(users);
    expect(planning.diff).toEqual({ joined: ['c@x'], left: ['b@x'] });
    const view = await reading.forWorker();
    expect(view?.users.get('#READER/a@x')?.email).toBe('a@x');
    expect(view?.keepRows).toEqual([{ group: 'keep@x', email: 'k@x' }]);
    // Nothing of r2 was read; the previous snapshot's members once, for the diff.
    expect(s.reads.google.get('r2')).toBeUndefined();
    expect(s.reads.users.get('r2')).toBeUndefined();
    expect(s.reads.keep).toBe(0);
    expect(s.reads.google.get('r1')).toBe(1);
  });

  it('reads the newest COMPLETE snapshot, not one handed over after another process completed a newer one', async () => {
    const s = countingSnapshots();
    const taken = manifest('r1', '2026-12-01T00:00:00.000Z');
    s.add(taken, ['a@x'], []);
    s.add(manifest('r2', '2026-12-02T00:00:00.000Z'), ['a@x', 'c@x'], []);
    const reading = new SnapshotReading(s.store);
    reading.handOver(taken, { google: [s.member('g@x', 'a@x')], keep: [], quickSight: [] });
    const planning = await reading.forPlan();
    expect(planning.latest.runId).toBe('r2');
    expect(planning.currentMembers.has('c@x')).toBe(true);
    expect(s.reads.google.get('r2')).toBe(1);
    // A PARTIAL snapshot is never handed over.
    const partial = { ...manifest('r3', '2026-12-03T00:00:00.000Z'), status: 'PARTIAL' as const };
    reading.handOver(partial, { google: [], keep: [], quickSight: [] });
    expect((await reading.forPlan()).latest.runId).toBe('r2');
  });

  it("serves the idle selection's reading of the newest snapshot to the plan and the worker", async () => {
    const s = countingSnapshots();
    s.add(manifest('r1', '2026-11-30T00:00:00.000Z'), ['a@x'], [user('READER/a@x', 'a@x')]);
    const users = [user('READER/a@x', 'a@x'), user('READER/b@x', 'b@x')];
    s.add(manifest('r2', '2026-12-01T00:00:00.000Z', { 'keep@x': 1 }), ['a@x', 'b@x'], users, [
      s.member('keep@x', 'k@x'),
    ]);
    const reading = new SnapshotReading(s.store);
    // The selection: the manifests, newest first; each snapshot's QuickSight users; keep rows.
    const listed: string[] = [];
    for await (const m of reading.rows.manifests()) {
      listed.push(m.runId);
      for await (const page of reading.rows.quickSightUsers(m.runId)) expect(page).toBeDefined();
    }
    expect(listed).toEqual(['r2', 'r1']);
    for await (const page of reading.rows.keepGroupRows('r2'))
      expect(page).toEqual([s.member('keep@x', 'k@x')]);
    const planning = await reading.forPlan();
    expect(planning.quickSightUsers).toEqual(users);
    const view = await reading.forWorker();
    expect(view?.keepRows).toEqual([{ group: 'keep@x', email: 'k@x' }]);
    // Each source of the newest snapshot read once for the three uses; the older one not held.
    expect(s.reads.users.get('r2')).toBe(1);
    expect(s.reads.keep).toBe(1);
    expect(s.reads.google.get('r2')).toBe(1);
    for await (const page of reading.rows.quickSightUsers('r1')) expect(page).toHaveLength(1);
    expect(s.reads.users.get('r1')).toBe(2);
  });

  it('reads again after a failed read: a failure is not kept', async () => {
    const s = countingSnapshots();
    const users = [user('READER/a@x', 'a@x')];
    s.add(manifest('r1', '2026-12-01T00:00:00.000Z'), ['a@x'], users);
    const reading = new SnapshotReading(s.store);
    s.reads.failUsers = 1;
    await expect(reading.forPlan()).rejects.toThrow('throttled');
    expect((await reading.forPlan()).quickSightUsers).toEqual(users);
    expect(s.reads.users.get('r1')).toBe(2);
  });
});
