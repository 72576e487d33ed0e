import { describe, expect, it, vi } from 'vitest';
import {
  createPlanHandoverView,
  handsOverDetail,
} from '../../../../services/removals/handover/handover-planning.js';
import { OWNER_ACTIONS } from '../../../../shared/asset-owner-actions.js';
import type { AssetOwnership, SharedAsset } from '../../../../shared/aws/quicksight-assets.js';
import type { Decision } from '../../../../shared/domain.js';

const decision = (
  email: string,
  role: string,
  kind: Decision['decision'] = 'delete',
): Decision => ({
  email,
  source: 'group_removal',
  sources: ['group_removal'],
  decision: kind,
  reason: 'left',
  quickSightUser: { userName: email, arn: `arn:${email}`, role, identityType: 'IAM' },
});

function port(
  owned: Record<string, number>,
  shared: SharedAsset[] = [],
): AssetOwnership & { searched: string[] } {
  const searched: string[] = [];
  const soleOwned = vi.fn(async (arn: string) => {
    searched.push(arn);
    return Array.from({ length: owned[arn] ?? 0 }, (_, i) => ({
      type: 'dashboard' as const,
      id: `d${i}`,
      arn: `arn:d${i}`,
    }));
  });
  return {
    searched,
    soleOwned,
    owned: vi.fn(async (arn: string) => ({
      sole: await soleOwned(arn),
      shared: shared.filter((a) => a.permissions.some((p) => p.principal === arn)),
    })),
    grantOwner: vi.fn(async () => {
      throw new Error('the plan never grants');
    }),
    permissions: vi.fn(async () => []),
    describeUser: async (name) =>
      name === 'lead' ? { userName: 'lead', arn: 'arn:lead', role: 'AUTHOR' } : undefined,
  };
}

describe("the plan's view of the handover", () => {
  it('searches only owning users; defers those with assets and no successor', async () => {
    const p = port({ 'arn:a@x': 3, 'arn:b@x': 0 });
    const view = createPlanHandoverView(p, {});
    const out = await view([
      decision('r@x', 'READER'),
      decision('a@x', 'AUTHOR'),
      decision('b@x', 'AUTHOR'),
      decision('p@x', 'ADMIN', 'protected'),
    ]);
    expect(p.searched).toEqual(['arn:a@x', 'arn:b@x']);
    expect(out.map((d) => d.decision)).toEqual(['delete', 'deferred', 'delete', 'protected']);
    expect(out[1]?.reason).toBe('owns 3 dashboards; set IDSYNC_ASSET_SUCCESSOR');
    expect(out[2]).toEqual(decision('b@x', 'AUTHOR'));
  });

  it('with a successor that can own: delete, with what it hands over to whom', async () => {
    const p = port({ 'arn:a@x': 1 });
    const out = await createPlanHandoverView(p, { successor: { kind: 'user', userName: 'lead' } })([
      decision('a@x', 'AUTHOR_PRO'),
    ]);
    expect(out[0]).toMatchObject({ decision: 'delete', detail: 'hands over 1 asset to lead' });
    const none = await createPlanHandoverView(p, {
      successor: { kind: 'user', userName: 'ghost' },
    })([decision('a@x', 'AUTHOR')]);
    expect(none[0]).toMatchObject({
      decision: 'deferred',
      reason: 'owns 1 dashboard; successor ghost is not a QuickSight user',
    });
    expect(handsOverDetail(2, 'x')).toBe('hands over 2 assets to x');
  });

  it('two co-owners deleted by the same plan: each says it hands the shared asset over', async () => {
    const owners = (...arns: string[]) =>
      arns.map((principal) => ({ principal, actions: OWNER_ACTIONS.dashboard }));
    const shared: SharedAsset[] = [
      { type: 'dashboard', id: 's', arn: 'arn:s', permissions: owners('arn:a@x', 'arn:b@x') },
    ];
    const settings = { successor: { kind: 'user' as const, userName: 'lead' } };
    const both = await createPlanHandoverView(
      port({}, shared),
      settings,
    )([decision('a@x', 'AUTHOR'), decision('b@x', 'AUTHOR')]);
    expect(both.map((d) => d.detail)).toEqual([
      'hands over 1 asset to lead',
      'hands over 1 asset to lead',
    ]);
    // The other one downgraded to Reader by the same plan: leaving too.
    const downgraded = await createPlanHandoverView(
      port({}, shared),
      settings,
    )([
      decision('a@x', 'AUTHOR'),
      { ...decision('b@x', 'AUTHOR', 'downgrade'), targetRole: 'READER' },
    ]);
    expect(downgraded[0]?.detail).toBe('hands over 1 asset to lead');
    // Only one leaves: the other owner stays, nothing to hand over.
    const one = await createPlanHandoverView(
      port({}, shared),
      settings,
    )([decision('a@x', 'AUTHOR')]);
    expect(one[0]).toEqual(decision('a@x', 'AUTHOR'));
  });
});
