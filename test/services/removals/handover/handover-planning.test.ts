import { describe, expect, it } from 'vitest';
import { handoverWiring } from '../../../../services/removals/handover/handover-planning.js';
import type { AssetOwnership } from '../../../../shared/aws/quicksight-assets.js';
import type { Decision } from '../../../../shared/domain.js';

/** The plan's view of the handover, each QuickSight scope's decisions through that scope's reads. */

const author = (email: string, scope?: string): Decision => ({
  email,
  source: 'group_removal',
  sources: ['group_removal'],
  decision: 'delete',
  reason: 'left',
  quickSightUser: {
    userName: email,
    arn: `arn:${scope ?? 'home'}:${email}`,
    role: 'AUTHOR',
    identityType: 'IAM',
    ...(scope ? { scope } : {}),
  },
});

/** Asset reads of one scope: every user searched there owns one dashboard alone. */
function reads(searched: string[]): AssetOwnership {
  return {
    soleOwned: async () => [],
    owned: async (arn) => {
      searched.push(arn);
      return { sole: [{ type: 'dashboard', id: 'd', arn: 'arn:d' }], shared: [] };
    },
    grantOwner: async () => {
      throw new Error('the plan never grants');
    },
    permissions: async () => [],
    describeUser: async () => undefined,
  };
}

describe('the plan’s handover view per QuickSight scope', () => {
  it('searches each decision’s user in its own scope; a scope not configured is left as planned', async () => {
    const home: string[] = [];
    const other: string[] = [];
    const scopes: Record<string, AssetOwnership> = {
      default: reads(home),
      '222222222222/default': reads(other),
    };
    const wiring = handoverWiring(
      undefined,
      {
        assetReads: () => ({
          assets: reads(home),
          scoped: (key) => {
            const assets = scopes[key ?? 'default'];
            return assets && { assets };
          },
          close() {},
        }),
      },
      { forPlan: async () => ({ quickSightUsers: [] }) as never },
    );
    const view = wiring.handoverView().handoverView;
    const out = await view?.([
      author('a@x'),
      author('b@x', '222222222222/default'),
      author('c@x', '333333333333/default'),
    ]);
    expect(home).toEqual(['arn:home:a@x']);
    expect(other).toEqual(['arn:222222222222/default:b@x']);
    expect(out?.map((d) => [d.email, d.decision])).toEqual([
      ['a@x', 'deferred'],
      ['b@x', 'deferred'],
      ['c@x', 'delete'],
    ]);
  });
});
