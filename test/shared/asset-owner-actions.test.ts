import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ASSET_TYPES,
  holdsOwnerActions,
  isSoleOwner,
  OWNER_ACTIONS,
  ownedCountsText,
} from '../../shared/asset-owner-actions.js';

describe('asset owner actions', () => {
  it('each owner set starts with its permissions update and names only its own type', () => {
    for (const type of ASSET_TYPES) {
      const actions = OWNER_ACTIONS[type];
      expect(actions[0], type).toMatch(/^quicksight:Update\w+Permissions$/);
      expect(new Set(actions).size).toBe(actions.length);
    }
  });

  it('a sole owner is the one principal holding the update action', () => {
    const own = { principal: 'a', actions: OWNER_ACTIONS.dashboard };
    const view = { principal: 'b', actions: ['quicksight:DescribeDashboard'] };
    expect(isSoleOwner('dashboard', [own, view], 'a')).toBe(true);
    expect(isSoleOwner('dashboard', [own, { ...own, principal: 'c' }], 'a')).toBe(false);
    expect(isSoleOwner('dashboard', [view], 'b')).toBe(false);
    expect(isSoleOwner('dashboard', [], 'a')).toBe(false);
  });

  it('a handover verifies only when the successor holds the whole owner set', () => {
    const all = OWNER_ACTIONS.dataset;
    expect(holdsOwnerActions('dataset', [{ principal: 's', actions: all }], 's')).toBe(true);
    expect(holdsOwnerActions('dataset', [{ principal: 's', actions: all.slice(1) }], 's')).toBe(
      false,
    );
    expect(holdsOwnerActions('dataset', [{ principal: 't', actions: all }], 's')).toBe(false);
  });

  it('says what a user owns in ASSET_TYPES order, singular and plural', () => {
    expect(ownedCountsText([])).toBe('nothing');
    expect(
      ownedCountsText([
        { type: 'dataset' },
        { type: 'dashboard' },
        { type: 'dashboard' },
        { type: 'dataset' },
        { type: 'dashboard' },
      ]),
    ).toBe('3 dashboards, 2 datasets');
    expect(ownedCountsText([{ type: 'analysis' }, { type: 'datasource' }])).toBe(
      '1 analysis, 1 data source',
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ASSET_TYPES)), (types) => {
        const text = ownedCountsText(types.map((type) => ({ type })));
        const total = [...text.matchAll(/(\d+) /g)].reduce((n, m) => n + Number(m[1]), 0);
        expect(total).toBe(types.length);
      }),
    );
  });
});
