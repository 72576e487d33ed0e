import { describe, expect, it } from 'vitest';
import { WorldControlError } from '../../../../services/sandbox/control/world.js';
import { WORLD_CONTROLS } from '../../../../services/sandbox/control/world-routes.js';
import { ASSET_TYPE_SPECS } from '../../../../services/sandbox/quicksight/asset-types.js';
import { personOf, testWorld } from './world-fixture.js';

/** The `assets` and `first-of-month` world controls (services/sandbox/control/world-routes.ts). */
describe('world controls: assets and the 1st of the month', () => {
  it('assets lists what has no owner and sets the search lag; refuses a bad lag', () => {
    const world = testWorld();
    const author = personOf(world, 'author').quickSightUsers[0];
    if (!author) throw new Error('no author user');
    world.org.quickSight.assets.add('dashboard', 'd1', 'Sales', [
      { principal: author.arn, actions: ASSET_TYPE_SPECS.dashboard.ownerActions },
    ]);
    expect(WORLD_CONTROLS.assets(world, { searchLag: 3 })).toMatchObject({
      searchLag: 3,
      orphaned: [],
    });
    expect(world.org.quickSight.assets.searchLag).toBe(3);
    world.org.quickSight.delete(author);
    expect(WORLD_CONTROLS.assets(world, {}).orphaned).toEqual([
      { type: 'dashboard', id: 'd1', name: 'Sales' },
    ]);
    for (const bad of [-1, 1.5, '2', 1001])
      expect(() => WORLD_CONTROLS.assets(world, { searchLag: bad })).toThrow(WorldControlError);
  });

  it('first-of-month removes only inactive IAM_IDENTITY_CENTER users', () => {
    const world = testWorld();
    const idc = personOf(world, 'identity-center').quickSightUsers[0];
    if (!idc) throw new Error('no IdC user');
    expect(WORLD_CONTROLS['first-of-month'](world).removed).toEqual([]);
    world.org.quickSight.setActive(idc, false);
    const result = WORLD_CONTROLS['first-of-month'](world);
    expect(result.removed).toEqual([{ userName: idc.userName, email: idc.email }]);
    expect(result.summary[0]).toBe(
      'first of the month: QuickSight removed 1 inactive IAM_IDENTITY_CENTER user',
    );
    expect(world.org.quickSight.deletes.size).toBe(0);
  });
});
