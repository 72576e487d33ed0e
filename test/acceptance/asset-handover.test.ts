import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixedOrg } from '../../services/sandbox/scenarios/mixed.js';
import { removeFromGroups } from '../../services/sandbox/sync-simulator.js';
import { isOwnerEntry, OWNER_ACTIONS } from '../../shared/asset-owner-actions.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

/**
 * The asset handover end to end on the mixed account (IAM-federated, QuickSight-native and IdC
 * users; Authors owning dashboards, analyses, datasets, data sources and folders, some shared):
 * a leaver Author with no successor configured is deferred and flagged, never deleted; with
 * IDSYNC_ASSET_SUCCESSOR the same Author is deleted only after everything they owned alone is
 * owned by the successor (the stand-in is the judge: nothing orphaned); shared assets keep their
 * other owner; IdC-native users get no DeleteUser or UpdateUser.
 */

interface Out {
  plan: {
    plan: {
      decisions: Array<{ email: string; decision: string; reason: string; detail?: string }>;
    };
  };
  applied?: { deleted: number; deferred: number; failed: number };
  needsAttention?: {
    items: Array<{ email: string; decision: string; reason: string; monthly: number }>;
  };
}

describe('asset handover on a mixed account', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ org: mixedOrg() });
    await snapshotOk(t.sandbox);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('defers an owning leaver without a successor, then hands over and deletes with one', async () => {
    const org = t.sandbox.org;
    const assets = org.quickSight.assets;
    const single = (role: string) =>
      org.people.find(
        (p) =>
          !p.protected && p.quickSightUsers.length === 1 && p.quickSightUsers[0]?.role === role,
      );
    const leaver = single('AUTHOR');
    const idcLeaver = org.people.find(
      (p) => !p.protected && p.quickSightUsers[0]?.identityType === 'IAM_IDENTITY_CENTER',
    );
    const successor = org.quickSight
      .list()
      .find((u) => u.role === 'AUTHOR' && u.email !== leaver?.email);
    const author = leaver?.quickSightUsers[0];
    if (!leaver || !author || !idcLeaver || !successor) throw new Error('scenario changed');
    const owned = assets.soleOwned(author.arn);
    expect(owned.length).toBe(5);
    const shared = assets
      .list('dashboard')
      .filter((a) =>
        assets
          .permissionsOf('dashboard', a.id)
          .some((p) => p.principal === author.arn && isOwnerEntry('dashboard', p.actions)),
      )
      .filter((a) => !owned.some((o) => o.id === a.id));
    expect(shared.length).toBeGreaterThan(0);
    const coOwners = new Map(
      shared.map((a) => [
        a.id,
        assets
          .permissionsOf('dashboard', a.id)
          .filter((p) => p.principal !== author.arn && isOwnerEntry('dashboard', p.actions))
          .map((p) => p.principal),
      ]),
    );

    removeFromGroups(org, [leaver.email, idcLeaver.email]);
    await snapshotOk(t.sandbox);

    // No successor: the plan (a dry run too) defers with the reason; nothing deleted or orphaned.
    const reason =
      'owns 1 dashboard, 1 analysis, 1 dataset, 1 data source, 1 folder; set IDSYNC_ASSET_SUCCESSOR';
    const dry = JSON.parse((await runCliOn(t.sandbox, ['reconcile', '--json'])).stdout) as Out;
    const first = await runCliOn(t.sandbox, ['reconcile', '--apply', '--json']);
    expect(first.code, first.stderr).toBe(0);
    for (const out of [dry, JSON.parse(first.stdout) as Out]) {
      const decision = out.plan.plan.decisions.find((d) => d.email === leaver.email);
      expect(decision).toMatchObject({ decision: 'deferred', reason });
    }
    expect(org.quickSight.deletes.has(author.userName)).toBe(false);
    expect(assets.orphaned()).toEqual([]);
    // Flagged: under "Needs attention" with the cost of keeping the seat ($24 an Author).
    const flagged = (JSON.parse(first.stdout) as Out).needsAttention?.items.find(
      (i) => i.email === leaver.email,
    );
    expect(flagged).toMatchObject({ decision: 'deferred', reason, monthly: 24 });
    const text = await runCliOn(t.sandbox, ['reconcile']);
    expect(text.stdout).toMatch(/needs attention \(\d+\): seats kept, \$[\d,.]+ a month/);
    expect(text.stdout).toContain(`deferred: ${reason}`);

    // With a successor: handed over, verified, then deleted once.
    const second = await runCliOn(t.sandbox, ['reconcile', '--apply', '--json'], {
      IDSYNC_ASSET_SUCCESSOR: successor.userName,
    });
    expect(second.code, second.stderr).toBe(0);
    const planned = (JSON.parse(second.stdout) as Out).plan.plan.decisions.find(
      (d) => d.email === leaver.email,
    );
    expect(planned).toMatchObject({
      decision: 'delete',
      detail: expect.stringContaining(`hands over 5 assets to ${successor.userName}`),
    });
    expect(org.quickSight.deletes.get(author.userName)).toBe(1);
    expect(assets.orphaned()).toEqual([]);
    for (const a of owned) {
      const perms = assets.permissionsOf(a.type, a.id);
      const held = perms.find((p) => p.principal === successor.arn)?.actions ?? [];
      expect(new Set(held), `${a.type}/${a.id}`).toEqual(new Set(OWNER_ACTIONS[a.type]));
    }
    for (const [id, others] of coOwners) {
      const now = assets
        .permissionsOf('dashboard', id)
        .filter((p) => isOwnerEntry('dashboard', p.actions))
        .map((p) => p.principal);
      expect(now).toEqual(expect.arrayContaining(others));
    }

    // IdC-native users: no DeleteUser or UpdateUser, ever.
    const idcNames = new Set(
      org.quickSight
        .list()
        .filter((u) => u.identityType === 'IAM_IDENTITY_CENTER')
        .map((u) => u.userName),
    );
    for (const u of idcLeaver.quickSightUsers) idcNames.add(u.userName);
    expect([...org.quickSight.deletes.keys()].filter((n) => idcNames.has(n))).toEqual([]);
    expect([...org.quickSight.updates.keys()].filter((n) => idcNames.has(n))).toEqual([]);
  });

  it("manager:<fallback>: a leaver's assets go to their manager's QuickSight user that can own", async () => {
    const org = t.sandbox.org;
    const assets = org.quickSight.assets;
    const gone = new Set(org.quickSight.deletes.keys());
    const leaver = org.people.find(
      (p) =>
        !p.protected &&
        p.quickSightUsers.some((u) => u.role === 'AUTHOR' && !gone.has(u.userName)) &&
        org.google.user(p.email)?.manager,
    );
    const author = leaver?.quickSightUsers.find((u) => u.role === 'AUTHOR');
    const managerEmail = leaver && org.google.user(leaver.email)?.manager;
    const manager = org.quickSight
      .list()
      .find((u) => u.email === managerEmail && /^(AUTHOR|ADMIN)/.test(u.role));
    const fallback = org.quickSight
      .list()
      .find((u) => u.role === 'AUTHOR' && u.arn !== manager?.arn && u.email !== leaver?.email);
    if (!leaver || !author || !manager || !fallback) throw new Error('scenario changed');
    expect(manager.arn).not.toBe(fallback.arn);
    // What its deletion would leave without a living owner (the first test's leavers are gone).
    const owned = assets.onlyLivingOwner(author.arn);
    expect(owned.length).toBeGreaterThan(0);

    removeFromGroups(org, [leaver.email]);
    await snapshotOk(t.sandbox);
    const run = await runCliOn(t.sandbox, ['reconcile', '--apply', '--json'], {
      IDSYNC_ASSET_SUCCESSOR: `manager:${fallback.userName}`,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(org.quickSight.deletes.get(author.userName)).toBe(1);
    expect(assets.orphaned()).toEqual([]);
    for (const a of owned)
      expect(assets.livingOwners(a.type, a.id), `${a.type}/${a.id}`).toEqual([manager.arn]);
  });
});
