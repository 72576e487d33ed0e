import { describe, expect, it } from 'vitest';
import {
  createHandOverAssets,
  handoverKey,
} from '../../../../services/removals/handover/hand-over-assets.js';
import { type AssetPermission, OWNER_ACTIONS } from '../../../../shared/asset-owner-actions.js';
import type { AssetSuccessor } from '../../../../shared/asset-successor.js';
import type {
  AssetOwnership,
  OwnedAsset,
  SuccessorUser,
} from '../../../../shared/aws/quicksight-assets.js';
import type { AuditRecord, StoredAuditRecord } from '../../../../shared/dynamo/audit-store.js';
import type { Task } from '../../../../shared/task.js';

const ARN = (n: string) => `arn:aws:quicksight:us-east-1:111122223333:user/default/${n}`;
const task: Task = {
  taskId: 'default#ann',
  status: 'IN_PROGRESS',
  runId: 'plan-1',
  email: 'ann@example.com',
  userName: 'ann',
  arn: ARN('ann'),
  role: 'AUTHOR',
  identityType: 'IAM',
  source: 'group_removal',
  reason: 'left',
  createdAt: '2026-12-01T00:00:00Z',
  updatedAt: '2026-12-01T00:00:00Z',
  attempts: 0,
  execRunId: 'worker-1',
  execAt: '2026-12-01T00:00:01Z',
};

/**
 * A fake account: assets owned by ann (and by the principals `coOwners` names per `type/id`),
 * users; grants land unless `dropGrants`.
 */
function account(
  users: SuccessorUser[],
  owned: OwnedAsset[],
  dropGrants = false,
  coOwners: Record<string, string[]> = {},
) {
  const perms = new Map<string, AssetPermission[]>(
    owned.map((a) => [
      `${a.type}/${a.id}`,
      [ARN('ann'), ...(coOwners[`${a.type}/${a.id}`] ?? [])].map((principal) => ({
        principal,
        actions: OWNER_ACTIONS[a.type],
      })),
    ]),
  );
  const grants: string[] = [];
  const permsOf = (a: OwnedAsset) => perms.get(`${a.type}/${a.id}`) ?? [];
  const soleOwned = async (arn: string) =>
    owned.filter((a) => {
      const p = permsOf(a);
      return p.length === 1 && p[0]?.principal === arn;
    });
  const port: AssetOwnership = {
    soleOwned,
    async owned(arn) {
      const shared = owned
        .filter((a) => permsOf(a).length > 1 && permsOf(a).some((p) => p.principal === arn))
        .map((a) => ({ ...a, permissions: [...permsOf(a)] }));
      return { sole: await soleOwned(arn), shared };
    },
    async grantOwner(asset, principal) {
      grants.push(`${asset.type}/${asset.id}>${principal}`);
      if (!dropGrants)
        perms
          .get(`${asset.type}/${asset.id}`)
          ?.push({ principal, actions: OWNER_ACTIONS[asset.type] });
    },
    async permissions(asset) {
      return perms.get(`${asset.type}/${asset.id}`) ?? [];
    },
    async describeUser(name) {
      return users.find((u) => u.userName === name);
    },
  };
  return { port, grants };
}

function auditLog() {
  const rows = new Map<string, StoredAuditRecord>();
  return {
    rows,
    async appendOnce(record: AuditRecord, key: { runId: string; sk: string }) {
      const k = `${key.runId} ${key.sk}`;
      if (rows.has(k)) return 'exists' as const;
      rows.set(k, { ...record, runId: key.runId, sk: key.sk, day: record.at.slice(0, 10) });
      return 'written' as const;
    },
    async *byEmail(email: string) {
      yield [...rows.values()].filter((r) => r.email === email);
    },
  };
}

const DASH: OwnedAsset = { type: 'dashboard', id: 'd1', name: 'Sales', arn: 'arn:d1' };
const SET: OwnedAsset = { type: 'dataset', id: 's1', arn: 'arn:s1' };
const BOB = { userName: 'bob', arn: ARN('bob'), role: 'AUTHOR' };

function handOver(
  successor: AssetSuccessor | undefined,
  fake: ReturnType<typeof account>,
  audit = auditLog(),
  managers?: string[],
) {
  return createHandOverAssets({
    assets: fake.port,
    ...(successor ? { successor } : {}),
    ...(managers ? { managerUserNames: async () => managers } : {}),
    audit,
    runId: 'worker-2',
  });
}

describe('createHandOverAssets', () => {
  it('a user who owns nothing: nothing_owned, no grant', async () => {
    const fake = account([BOB], []);
    expect(await handOver(undefined, fake)(task)).toEqual({ kind: 'nothing_owned' });
    expect(fake.grants).toEqual([]);
  });

  it('defers with the reason when there is no usable successor', async () => {
    const reader = { userName: 'rita', arn: ARN('rita'), role: 'READER' };
    const cases: [AssetSuccessor | undefined, string][] = [
      [undefined, 'owns 1 dashboard, 1 dataset; set IDSYNC_ASSET_SUCCESSOR'],
      [{ kind: 'user', userName: 'rita' }, 'successor rita cannot own assets (READER)'],
      [{ kind: 'user', userName: 'nobody' }, 'successor nobody is not a QuickSight user'],
      [{ kind: 'user', userName: 'ann' }, 'successor ann is the departing user'],
    ];
    for (const [successor, reason] of cases) {
      const fake = account(
        [reader, { userName: 'ann', arn: task.arn, role: 'AUTHOR' }],
        [DASH, SET],
      );
      const result = await handOver(successor, fake)(task);
      expect(result.kind).toBe('deferred');
      expect(result.kind === 'deferred' && result.reason).toContain(reason);
      expect(fake.grants).toEqual([]);
    }
  });

  it('grants, verifies and audits each asset once, also when run again', async () => {
    const fake = account([BOB], [DASH, SET]);
    const audit = auditLog();
    const result = await handOver({ kind: 'user', userName: 'bob' }, fake, audit)(task);
    expect(result).toEqual({
      kind: 'handed_over',
      assets: [
        { type: 'DASHBOARD', id: 'd1', name: 'Sales', arn: 'arn:d1', from: task.arn, to: BOB.arn },
        { type: 'DATASET', id: 's1', arn: 'arn:s1', from: task.arn, to: BOB.arn },
      ],
    });
    expect(fake.grants).toEqual([`dashboard/d1>${BOB.arn}`, `dataset/s1>${BOB.arn}`]);
    expect([...audit.rows.keys()].sort()).toEqual([
      'worker-1 2026-12-01T00:00:01Z#handover#default#ann#dashboard/d1#granting',
      'worker-1 2026-12-01T00:00:01Z#handover#default#ann#dashboard/d1#verified',
      'worker-1 2026-12-01T00:00:01Z#handover#default#ann#dataset/s1#granting',
      'worker-1 2026-12-01T00:00:01Z#handover#default#ann#dataset/s1#verified',
    ]);
    const verified = [...audit.rows.values()].filter((r) => r.detail?.state === 'verified');
    expect(
      verified.map((r) => [r.detail?.type, r.detail?.id, r.detail?.from, r.detail?.to]),
    ).toEqual([
      ['DASHBOARD', 'd1', task.arn, BOB.arn],
      ['DATASET', 's1', task.arn, BOB.arn],
    ]);
    // A rerun (the search may lag): the same keys, no second row.
    expect(handoverKey(task, 'worker-3', DASH)).toEqual({
      runId: 'worker-1',
      sk: '2026-12-01T00:00:01Z#handover#default#ann#dashboard/d1',
    });
  });

  it("manager: the manager's user when it can own, else the fallback", async () => {
    const mia = { userName: 'mia', arn: ARN('mia'), role: 'ADMIN' };
    const fake = account([BOB, mia], [DASH]);
    const toMia = await handOver({ kind: 'manager', fallback: 'bob' }, fake, auditLog(), ['mia'])(
      task,
    );
    expect(toMia.kind === 'handed_over' && toMia.assets[0]?.to).toBe(mia.arn);
    const readerManager = { ...mia, role: 'READER' };
    const fake2 = account([BOB, readerManager], [DASH]);
    const toBob = await handOver({ kind: 'manager', fallback: 'bob' }, fake2, auditLog(), ['mia'])(
      task,
    );
    expect(toBob.kind === 'handed_over' && toBob.assets[0]?.to).toBe(BOB.arn);
  });

  it('a run killed between a grant and its verified row: the rerun confirms the asset', async () => {
    const fake = account([BOB], [DASH, SET]);
    const audit = auditLog();
    // The first run dies once the dashboard's grant is sent (the grant lands, nothing after it runs).
    const grant = fake.port.grantOwner;
    const dying: AssetOwnership = {
      ...fake.port,
      async grantOwner(asset, principal) {
        await grant(asset, principal);
        if (asset.id === 'd1') throw new Error('killed');
      },
    };
    const first = createHandOverAssets({
      assets: dying,
      successor: { kind: 'user', userName: 'bob' },
      audit,
      runId: 'worker-1',
    });
    await expect(first(task)).rejects.toThrow('killed');
    const states = () =>
      [...audit.rows.values()]
        .filter((r) => r.detail?.id === 'd1')
        .map((r) => r.detail?.state)
        .sort();
    // Recorded before the grant: the dashboard's handover is not lost with the run.
    expect(states()).toEqual(['granting']);
    // The search no longer lists the dashboard (bob co-owns it); the rows still do.
    expect((await fake.port.soleOwned(task.arn)).map((a) => a.id)).not.toContain('d1');

    const rerun = await handOver({ kind: 'user', userName: 'bob' }, fake, audit)(task);
    expect(rerun.kind === 'handed_over' && rerun.assets.map((a) => a.id)).toContain('d1');
    expect(states()).toEqual(['granting', 'verified']);
    const verified = [...audit.rows.values()].filter((r) => r.detail?.state === 'verified');
    expect(verified.map((r) => r.detail?.id).sort()).toEqual(['d1', 's1']);
    // Once verified, a third run finds nothing to hand over and writes nothing.
    const size = audit.rows.size;
    expect(await handOver({ kind: 'user', userName: 'bob' }, fake, audit)(task)).toEqual({
      kind: 'nothing_owned',
    });
    expect(audit.rows.size).toBe(size);
  });

  it('a shared asset with a living co-owner who can own is left alone', async () => {
    const fake = account([BOB], [DASH], false, { 'dashboard/d1': [BOB.arn] });
    expect(await handOver({ kind: 'user', userName: 'bob' }, fake)(task)).toEqual({
      kind: 'nothing_owned',
    });
    expect(fake.grants).toEqual([]);
  });

  it('a group co-owner counts as living: no grant', async () => {
    const group = 'arn:aws:quicksight:us-east-1:111122223333:group/default/analysts';
    const fake = account([BOB], [DASH], false, { 'dashboard/d1': [group] });
    expect(await handOver({ kind: 'user', userName: 'bob' }, fake)(task)).toEqual({
      kind: 'nothing_owned',
    });
    expect(fake.grants).toEqual([]);
  });

  it('a shared asset whose other owners are gone or cannot own is handed over', async () => {
    // cid was deleted (DescribeUser finds nobody; its entry stays), rita is a Reader.
    const rita = { userName: 'rita', arn: ARN('rita'), role: 'READER' };
    const fake = account([BOB, rita], [DASH, SET], false, {
      'dashboard/d1': [ARN('cid')],
      'dataset/s1': [ARN('cid'), rita.arn],
    });
    const result = await handOver({ kind: 'user', userName: 'bob' }, fake)(task);
    expect(result.kind === 'handed_over' && result.assets.map((a) => a.id)).toEqual(['d1', 's1']);
    expect(fake.grants).toEqual([`dashboard/d1>${BOB.arn}`, `dataset/s1>${BOB.arn}`]);
  });

  it('without a successor, a user whose shares would be orphaned is deferred', async () => {
    const fake = account([BOB], [DASH], false, { 'dashboard/d1': [ARN('cid')] });
    const result = await handOver(undefined, fake)(task);
    expect(result.kind === 'deferred' && result.reason).toContain('owns 1 dashboard');
    expect(fake.grants).toEqual([]);
  });

  it('a grant that does not verify defers the task', async () => {
    const fake = account([BOB], [DASH], true);
    const result = await handOver({ kind: 'user', userName: 'bob' }, fake)(task);
    expect(result).toEqual({
      kind: 'deferred',
      reason: 'the handover of dashboard d1 to bob did not verify',
    });
  });
});
