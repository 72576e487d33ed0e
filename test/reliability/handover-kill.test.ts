import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixedOrg } from '../../services/sandbox/scenarios/mixed.js';
import { removeFromGroups } from '../../services/sandbox/sync-simulator.js';
import type { StoredAuditRecord } from '../../shared/dynamo/audit-store.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { spawnIdsync } from './fault-helpers.js';

/**
 * The handover half of "exactly once after SIGKILL": the real CLI (a child process) hands a
 * leaver Author's assets to the successor and is killed when its DeleteUser reaches QuickSight,
 * before QuickSight acts on it (the stand-in kills the child and drops the call). The rerun takes
 * the task over once its lease has run out: no asset is lost, the user is deleted once, and each
 * handed-over asset has exactly one audit row.
 */

const SETTINGS = { IDSYNC_LEASE_SECONDS: '2', IDSYNC_LOG_LEVEL: 'silent' };

describe('SIGKILL between the handover and the deletion', { timeout: 60_000 }, () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ org: mixedOrg() });
    await snapshotOk(t.sandbox);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('loses no asset, deletes once, audits each asset once', async () => {
    const org = t.sandbox.org;
    const assets = org.quickSight.assets;
    const leaver = org.people.find(
      (p) =>
        !p.protected && p.quickSightUsers.length === 1 && p.quickSightUsers[0]?.role === 'AUTHOR',
    );
    const author = leaver?.quickSightUsers[0];
    const successor = org.quickSight
      .list()
      .find((u) => u.role === 'AUTHOR' && u.email !== leaver?.email);
    if (!leaver || !author || !successor) throw new Error('scenario changed');
    const owned = assets.onlyLivingOwner(author.arn);
    expect(owned.length).toBe(5);
    removeFromGroups(org, [leaver.email]);
    await snapshotOk(t.sandbox);

    const env = { ...SETTINGS, IDSYNC_ASSET_SUCCESSOR: successor.userName };
    const run = spawnIdsync(t, ['reconcile', '--apply', '--json'], env);
    const state = org.quickSight;
    const original = state.delete.bind(state);
    let grantsAtKill = -1;
    state.delete = (user) => {
      if (user.arn !== author.arn || grantsAtKill >= 0) return original(user);
      grantsAtKill = owned.filter((a) =>
        assets.permissionsOf(a.type, a.id).some((p) => p.principal === successor.arn),
      ).length;
      run.child.kill('SIGKILL');
      return false;
    };
    const killed = await run.done;
    state.delete = original;
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(grantsAtKill).toBe(owned.length);
    expect(state.deletes.has(author.userName)).toBe(false);

    const rerun = await runCliOn(t.sandbox, ['reconcile', '--apply', '--json'], env);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(state.deletes.get(author.userName)).toBe(1);
    expect(assets.orphaned()).toEqual([]);
    for (const a of owned) expect(assets.livingOwners(a.type, a.id)).toEqual([successor.arn]);

    const scan = await t.doc.send(new ScanCommand({ TableName: t.names.audit }));
    const rows = ((scan.Items ?? []) as StoredAuditRecord[]).filter(
      (r) =>
        r.kind === 'handover' && r.userName === author.userName && r.detail?.state === 'verified',
    );
    expect(rows.map((r) => `${r.detail?.type}/${r.detail?.id}`).sort()).toEqual(
      owned.map((a) => `${a.type.toUpperCase()}/${a.id}`).sort(),
    );
    const outcomes = ((scan.Items ?? []) as StoredAuditRecord[]).filter(
      (r) => r.kind === 'outcome' && r.userName === author.userName,
    );
    expect(outcomes.map((r) => r.outcome)).toEqual(['deleted']);
  });

  it('killed at a grant: the asset is recorded before it, the rerun verifies every asset once', async () => {
    const org = t.sandbox.org;
    const assets = org.quickSight.assets;
    // The first test's leaver is gone; the next Author with assets of their own.
    const ownerOf = (p: (typeof org.people)[number]) =>
      p.quickSightUsers.find(
        (u) => u.role === 'AUTHOR' && assets.onlyLivingOwner(u.arn).length > 0,
      );
    const leaver = org.people.find((p) => !p.protected && ownerOf(p) !== undefined);
    const author = leaver && ownerOf(leaver);
    const successor = org.quickSight
      .list()
      .find((u) => u.role === 'AUTHOR' && u.email !== leaver?.email);
    if (!leaver || !author || !successor) throw new Error('scenario changed');
    const owned = assets.onlyLivingOwner(author.arn);
    removeFromGroups(org, [leaver.email]);
    await snapshotOk(t.sandbox);

    const env = { ...SETTINGS, IDSYNC_ASSET_SUCCESSOR: successor.userName };
    const run = spawnIdsync(t, ['reconcile', '--apply', '--json'], env);
    const original = assets.update.bind(assets);
    let killedAt: string | undefined;
    // The first grant to the successor lands at QuickSight, then the child dies: no line of it
    // after the grant runs.
    assets.update = (type, id, grant, revoke) => {
      const after = original(type, id, grant, revoke);
      if (killedAt === undefined && grant.some((g) => g.principal === successor.arn)) {
        killedAt = `${type.toUpperCase()}/${id}`;
        run.child.kill('SIGKILL');
      }
      return after;
    };
    const killed = await run.done;
    assets.update = original;
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(killedAt).toBeDefined();
    expect(org.quickSight.deletes.has(author.userName)).toBe(false);

    const handoverRows = async () => {
      const scan = await t.doc.send(new ScanCommand({ TableName: t.names.audit }));
      return ((scan.Items ?? []) as StoredAuditRecord[]).filter(
        (r) => r.kind === 'handover' && r.userName === author.userName,
      );
    };
    // The asset granted when the run died is in the audit (granting, not yet verified).
    expect((await handoverRows()).map((r) => `${r.detail?.type}/${r.detail?.id}`)).toContain(
      killedAt,
    );

    const rerun = await runCliOn(t.sandbox, ['reconcile', '--apply', '--json'], env);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(org.quickSight.deletes.get(author.userName)).toBe(1);
    expect(assets.orphaned()).toEqual([]);
    const rows = await handoverRows();
    const verified = rows
      .filter((r) => r.detail?.state === 'verified')
      .map((r) => `${r.detail?.type}/${r.detail?.id}`)
      .sort();
    expect(verified).toEqual(owned.map((a) => `${a.type.toUpperCase()}/${a.id}`).sort());
    for (const r of rows.filter((row) => row.detail?.state === 'verified'))
      expect(r.detail?.to).toBe(successor.arn);
  });
});
