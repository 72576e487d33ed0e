import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFirstOfMonth } from '../../services/sandbox/identity-center-seats.js';
import { mixedOrg } from '../../services/sandbox/scenarios/mixed.js';
import { removeFromGroups } from '../../services/sandbox/sync-simulator.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * Identity modes end to end on a mixed account (IAM-federated, QuickSight-native and IAM
 * Identity Center users): leavers of every type go through `reconcile --apply`; the IAM and
 * QuickSight-native users are deleted, the IdC-native ones never get a DeleteUser (QuickSight
 * refuses it): their decision is `ends_with_group`, the run exits 0, and the seat goes when
 * QuickSight's monthly pass removes the inactive user.
 */

describe('identity modes on a mixed account', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ org: mixedOrg() });
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('reconcile --apply deletes IAM and QUICKSIGHT leavers, makes no user write for IdC-native ones', async () => {
    const org = t.sandbox.org;
    const pick = (type: string) =>
      org.people.find(
        (p) =>
          !p.protected &&
          p.quickSightUsers.length === 1 &&
          p.quickSightUsers[0]?.identityType === type &&
          p.quickSightUsers[0]?.userName !== 'N/A',
      );
    const leavers = ['IAM', 'QUICKSIGHT', 'IAM_IDENTITY_CENTER'].map((type) => {
      const p = pick(type);
      if (!p) throw new Error(`no ${type} person`);
      return p;
    });
    const idc = leavers[2]?.quickSightUsers[0];
    removeFromGroups(
      org,
      leavers.map((p) => p.email),
    );
    expect(org.quickSight.list().find((u) => u.arn === idc?.arn)?.active).toBe(false);
    await snapshotOk(t.sandbox);

    const run = await runCliOn(t.sandbox, ['reconcile', '--apply', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    const decisions = out.plan.plan.decisions as Array<{
      email: string;
      decision: string;
      reason: string;
      seatEndsOn?: string;
    }>;
    const of = (email?: string) => decisions.find((d) => d.email === email);
    expect(of(leavers[0]?.email)?.decision).toBe('delete');
    expect(of(leavers[1]?.email)?.decision).toBe('delete');
    const idcDecision = of(leavers[2]?.email);
    expect(idcDecision?.decision).toBe('ends_with_group');
    expect(idcDecision?.seatEndsOn).toMatch(/^\d{4}-\d\d-01$/);
    expect(idcDecision?.reason).toContain('QuickSight removes it on');
    expect(out.applied.failed).toBe(0);

    // The stand-in: both user-write leavers deleted once, the IdC-native user untouched.
    const deleted = [...org.quickSight.deletes.keys()];
    expect(deleted.sort()).toEqual(
      [leavers[0]?.quickSightUsers[0]?.userName, leavers[1]?.quickSightUsers[0]?.userName].sort(),
    );
    expect(org.quickSight.list().some((u) => u.arn === idc?.arn)).toBe(true);
    expect(org.quickSight.updates.size).toBe(0);

    // The 1st of the month: QuickSight removes the inactive IdC-native user itself.
    expect(runFirstOfMonth(org).map((u) => u.arn)).toEqual([idc?.arn]);
    expect(org.quickSight.deletes.size).toBe(2);
  });
});
