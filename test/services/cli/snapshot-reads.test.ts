import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addKeepGroup } from '../../../services/sandbox/scenarios/keep-group.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { removePeople } from '../../../services/sandbox/sync-simulator.js';
import { activityUserName } from '../../../shared/activity-record.js';
import { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import { DynamoSnapshotStore, type StoredRows } from '../../../shared/dynamo/snapshot-store.js';
import { coverActivity } from '../../helpers/activity-coverage.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * How often one command reads a snapshot's rows from the snapshots table (every row read goes
 * through `DynamoSnapshotStore.rows`, counted here per run and source): `reconcile --apply`
 * reads none of the rows of the snapshot it takes (the snapshot job hands them to the plan and
 * the worker in memory), and `inactive --apply` reads each source of the newest COMPLETE snapshot
 * once for the idle selection, the plan and the worker together.
 */

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

describe('snapshot rows read by one command', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  /** Runs the CLI, counting the row reads of each `runId source` pair. */
  async function countingRowReads(argv: string[], env: Record<string, string> = {}) {
    const reads = new Map<string, number>();
    const read = DynamoSnapshotStore.prototype.rows;
    const rows = vi.spyOn(DynamoSnapshotStore.prototype, 'rows').mockImplementation(function (
      this: DynamoSnapshotStore,
      runId: string,
      source: StoredRows,
    ) {
      const key = `${runId} ${source}`;
      reads.set(key, (reads.get(key) ?? 0) + 1);
      return read.call(this, runId, source);
    });
    try {
      const result = await runCliOn(t.sandbox, argv, env);
      return { result, reads };
    } finally {
      rows.mockRestore();
    }
  }

  it('reconcile --apply reads none of the rows of the snapshot it takes', async () => {
    const { leavers, deleted } = removePeople(t.sandbox.org, { count: 3 });
    const { result, reads } = await countingRowReads(['reconcile', '--apply', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    const runId: string = out.snapshot.manifest.runId;
    expect(out.snapshot.manifest.status).toBe('COMPLETE');
    // The rows handed over stay out of the command's output.
    expect(out.snapshot.listed).toBeUndefined();
    // The worker ran: the leavers' users were deleted.
    expect(out.applied.deleted).toBeGreaterThan(0);
    for (const email of leavers.emails)
      expect(t.sandbox.org.quickSight.list().some((u) => u.email === email)).toBe(false);
    // The IdC users the snapshot no longer listed were marked gone beside the worker, before
    // the result was printed (services/cli/commands/reconcile.ts).
    const goneIds = deleted.map((u) => u.userId).sort();
    expect([...out.snapshot.goneUserIds].sort()).toEqual(goneIds);
    for (const id of goneIds) expect((await t.stores.identities.get(id))?.goneAt).toBeDefined();
    const ofThisRun = [...reads].filter(([key]) => key.startsWith(`${runId} `));
    expect(ofThisRun).toEqual([]);
    // What is still read: the previous snapshot's members, once (the plan's diff).
    expect([...reads.values()].every((n) => n === 1)).toBe(true);
  });

  it('inactive --apply reads each source of the newest snapshot once', async () => {
    const { org } = t.sandbox;
    const activity = new DynamoActivityStore(t.doc, t.names.activity);
    await coverActivity(activity, [org.region], { from: ago(90), to: ago(0.01) });
    const readers = org.people.filter((p) => p.kind === 'reader' && !p.protected);
    const keep = addKeepGroup(org, `dashboard-mail@${org.domain}`, readers.slice(0, 2));
    // A few idle Readers the worker deletes (users it may delete: not IAM Identity Center's);
    // every other user was active, so the paced worker has little to do.
    const idle = new Set(
      readers
        .slice(2)
        .filter(
          (p) =>
            p.quickSightUsers.length > 0 &&
            p.quickSightUsers.every(
              (u) =>
                u.identityType !== 'IAM_IDENTITY_CENTER' &&
                org.quickSight.get(u.userName) !== undefined,
            ),
        )
        .slice(0, 3),
    );
    expect(idle.size).toBe(3);
    for (const user of org.quickSight.list())
      if (![...idle].some((p) => p.quickSightUsers.some((u) => u.arn === user.arn)))
        await activity.recordActivity(org.namespace, activityUserName(user), {
          at: ago(5),
          eventName: 'GetDashboard',
          source: 'cloudtrail',
        });
    const env = { IDSYNC_INACTIVE_KEEP_GROUPS: keep };
    const snapshot = await runCliOn(t.sandbox, ['snapshot', '--json'], env);
    expect(snapshot.code, snapshot.stderr).toBe(0);
    const runId: string = JSON.parse(snapshot.stdout).manifest.runId;

    const { result, reads } = await countingRowReads(
      ['inactive', '--apply', '--json', '--days', '60', '--max-deletions', '500'],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.counts.kept).toBeGreaterThan(0);
    // The worker ran (its before-delete checks judge with the keep groups' members).
    expect(out.applied.deleted).toBe(3);
    expect(reads.get(`${runId} quicksight`)).toBe(1);
    expect(reads.get(`${runId} keep`)).toBe(1);
    expect(reads.get(`${runId} google`)).toBe(1);
  });
});
