import { describe, expect, it } from 'vitest';
import { ASSET_TYPES } from '../../../../services/sandbox/quicksight/asset-types.js';
import { mixedOrg } from '../../../../services/sandbox/scenarios/mixed.js';

describe('mixedOrg', () => {
  it('holds every identity type, Authors owning every asset type, some shared, nothing orphaned', () => {
    const org = mixedOrg();
    const users = org.quickSight.list();
    const types = new Set(users.map((u) => u.identityType));
    expect([...types].sort()).toEqual(['IAM', 'IAM_IDENTITY_CENTER', 'QUICKSIGHT']);
    expect(users.filter((u) => u.identityType === 'IAM_IDENTITY_CENTER').length).toBe(4);
    const assets = org.quickSight.assets;
    for (const type of ASSET_TYPES) expect(assets.list(type).length, type).toBeGreaterThan(0);
    const shared = assets.list('dashboard').filter((a) => a.id.startsWith('shared-'));
    expect(shared.length).toBeGreaterThan(1);
    for (const a of shared) {
      const owners = assets
        .permissionsOf('dashboard', a.id)
        .filter((p) => p.actions.includes('quicksight:UpdateDashboardPermissions'));
      expect(owners.length).toBe(2);
    }
    expect(assets.orphaned()).toEqual([]);
    const author = users.find((u) => u.role === 'AUTHOR');
    expect(
      assets
        .soleOwned(author?.arn ?? '')
        .map((a) => a.type)
        .sort(),
    ).toEqual(expect.arrayContaining(['analysis', 'dashboard', 'dataset', 'datasource', 'folder']));
    // The same seed, the same account.
    expect(mixedOrg().quickSight.list()).toEqual(users);
  });
});
