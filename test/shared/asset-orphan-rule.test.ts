import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  mustHandOverAsset,
  otherOwners,
  quickSightUserOf,
} from '../../shared/asset-orphan-rule.js';
import { OWNER_ACTIONS } from '../../shared/asset-owner-actions.js';

const ann = 'arn:aws:quicksight:us-east-1:111122223333:user/default/ann';
const bob = 'arn:aws:quicksight:us-east-1:111122223333:user/default/bob';
const group = 'arn:aws:quicksight:us-east-1:111122223333:group/default/analysts';
const own = (principal: string) => ({ principal, actions: OWNER_ACTIONS.dashboard });
const view = (principal: string) => ({
  principal,
  actions: ['quicksight:DescribeDashboard', 'quicksight:QueryDashboard'],
});

describe('mustHandOverAsset', () => {
  it('sole owner: hand over', () => {
    expect(mustHandOverAsset('dashboard', [own(ann), view(bob)], ann, new Set([bob]))).toBe(true);
  });
  it('not an owner (a viewer, or absent): never', () => {
    expect(mustHandOverAsset('dashboard', [view(ann), own(bob)], ann, new Set())).toBe(false);
    expect(mustHandOverAsset('dashboard', [own(bob)], ann, new Set())).toBe(false);
  });
  it('a co-owner who is living: leave it', () => {
    expect(mustHandOverAsset('dashboard', [own(ann), own(bob)], ann, new Set([bob]))).toBe(false);
    expect(mustHandOverAsset('dashboard', [own(ann), own(group)], ann, new Set([group]))).toBe(
      false,
    );
  });
  it('every co-owner gone (not living): hand over', () => {
    expect(mustHandOverAsset('dashboard', [own(ann), own(bob)], ann, new Set())).toBe(true);
  });
  it('a living principal that is only a viewer does not keep the asset', () => {
    expect(mustHandOverAsset('dashboard', [own(ann), view(bob)], ann, new Set([bob]))).toBe(true);
  });
  it('the departing user counted living does not keep its own asset', () => {
    expect(mustHandOverAsset('dashboard', [own(ann)], ann, new Set([ann]))).toBe(true);
  });
  it('property: hand over exactly when owning and no other owner is living', () => {
    const names = fc.constantFrom(ann, bob, group, 'arn:x');
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(names, fc.boolean()), { selector: ([p]) => p }),
        fc.uniqueArray(names),
        (entries, livingList) => {
          const perms = entries.map(([p, owner]) => (owner ? own(p) : view(p)));
          const living = new Set(livingList);
          const owns = entries.some(([p, o]) => p === ann && o);
          const kept = entries.some(([p, o]) => p !== ann && o && living.has(p));
          expect(mustHandOverAsset('dashboard', perms, ann, living)).toBe(owns && !kept);
          expect(otherOwners('dashboard', perms, ann)).toEqual(
            entries.filter(([p, o]) => p !== ann && o).map(([p]) => p),
          );
        },
      ),
    );
  });
});

describe('quickSightUserOf', () => {
  it('the user name of a user ARN; nothing for groups and other principals', () => {
    expect(quickSightUserOf(ann)).toEqual({ namespace: 'default', userName: 'ann' });
    expect(
      quickSightUserOf('arn:aws:quicksight:us-east-1:111122223333:user/default/role/ann@x.com'),
    ).toEqual({ namespace: 'default', userName: 'role/ann@x.com' });
    expect(quickSightUserOf(group)).toBeUndefined();
    expect(quickSightUserOf('arn:aws:iam::111122223333:role/x')).toBeUndefined();
    expect(quickSightUserOf('')).toBeUndefined();
  });
});
