import { afterEach, describe, expect, it } from 'vitest';
import { OWNER_ACTIONS } from '../../../shared/asset-owner-actions.js';
import { QuickSightAssets } from '../../../shared/aws/quicksight-assets.js';
import {
  ACCOUNT_ID,
  NAMESPACE,
  type QuickSightFixture,
  startQuickSightFixture,
} from '../../helpers/aws-sandbox.js';

const quick = { retry: { baseMs: 1, capMs: 5, maxAttempts: 6 } };

describe('QuickSightAssets over the QuickSight stand-in', () => {
  let qs: QuickSightFixture | undefined;
  afterEach(async () => {
    await qs?.close();
    qs = undefined;
  });

  function seed(fixture: QuickSightFixture) {
    const user = (userName: string, role: string) =>
      fixture.state.register({
        userName,
        email: `${userName}@example.com`,
        role,
        identityType: 'QUICKSIGHT',
        active: true,
      });
    const ann = user('ann', 'AUTHOR');
    const bob = user('bob', 'AUTHOR');
    const own = (type: keyof typeof OWNER_ACTIONS, arn: string) => ({
      principal: arn,
      actions: OWNER_ACTIONS[type],
    });
    const a = fixture.state.assets;
    for (let i = 0; i < 130; i++)
      a.add('dashboard', `d${String(i).padStart(3, '0')}`, `dash ${i}`, [
        own('dashboard', ann.arn),
      ]);
    a.add('dashboard', 'shared', 'shared', [own('dashboard', ann.arn), own('dashboard', bob.arn)]);
    a.add('dataset', 'ds', 'data', [own('dataset', ann.arn)]);
    a.add('theme', 'th', 'theme', [own('theme', ann.arn)]);
    a.add('template', 'tp', 'template', [own('template', bob.arn)]);
    a.add('topic', 'to', 'topic', [own('topic', ann.arn), own('topic', bob.arn)]);
    return { ann, bob };
  }

  it('finds what a user owns alone across pages and types, grants and verifies', async () => {
    qs = await startQuickSightFixture();
    const { ann, bob } = seed(qs);
    const port = new QuickSightAssets(qs.client, ACCOUNT_ID, NAMESPACE, quick);
    const owned = await port.soleOwned(ann.arn);
    const ids = owned.map((o) => `${o.type}/${o.id}`);
    expect(ids.length).toBe(132);
    expect(ids).toContain('dashboard/d129');
    expect(ids).toContain('dataset/ds');
    expect(ids).toContain('theme/th');
    expect(ids).not.toContain('dashboard/shared');
    expect(ids).not.toContain('topic/to');
    expect(ids).not.toContain('template/tp');

    const theme = owned.find((o) => o.type === 'theme');
    if (!theme) throw new Error('no theme');
    await port.grantOwner(theme, bob.arn);
    await port.grantOwner(theme, bob.arn); // already there: harmless
    const perms = await port.permissions(theme);
    expect(perms.find((p) => p.principal === bob.arn)?.actions).toEqual(
      expect.arrayContaining([...OWNER_ACTIONS.theme]),
    );
    expect((await port.describeUser('bob'))?.role).toBe('AUTHOR');
    expect(await port.describeUser('nobody')).toBeUndefined();
    await expect(
      port.grantOwner(theme, 'arn:aws:quicksight:us-east-1:1:user/default/ghost'),
    ).rejects.toThrow(/UpdateThemePermissions failed/);
  });

  it('owned: what the user owns alone, and what it shares with the permissions read', async () => {
    qs = await startQuickSightFixture();
    const { ann, bob } = seed(qs);
    const port = new QuickSightAssets(qs.client, ACCOUNT_ID, NAMESPACE, quick);
    const { sole, shared } = await port.owned(ann.arn);
    expect(sole.length).toBe(132);
    expect(shared.map((a) => `${a.type}/${a.id}`).sort()).toEqual(['dashboard/shared', 'topic/to']);
    for (const a of shared)
      expect(a.permissions.map((p) => p.principal).sort()).toEqual([ann.arn, bob.arn].sort());
    // Bob deleted: his entries stay, so the sole-owner search still misses ann's shared dashboard.
    qs.state.delete(bob);
    expect((await port.soleOwned(ann.arn)).map((a) => a.id)).not.toContain('shared');
    expect((await port.owned(ann.arn)).shared.map((a) => a.id)).toContain('shared');
  });

  it('retries throttled and failing calls at this one layer', async () => {
    qs = await startQuickSightFixture({ faults: { throttleRate: 0.3, errorRate: 0.1 } });
    const { ann } = seed(qs);
    const port = new QuickSightAssets(qs.client, ACCOUNT_ID, NAMESPACE, {
      ...quick,
      retry: { baseMs: 1, capMs: 5, maxAttempts: 30 },
    });
    expect((await port.soleOwned(ann.arn)).length).toBe(132);
    expect(qs.standIn.faults.counters.throttled).toBeGreaterThan(0);
  });
});
