import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { activityUserName } from '../../../shared/activity-record.js';
import { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import { coverActivity } from '../../helpers/activity-coverage.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * `idsync inactive --downgrade-authors` on the sandbox: an Author who only views dashboards is
 * downgraded to Reader (one UpdateUser), an Author who authored within the N days keeps the
 * role, and no Author is ever deleted.
 */

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

describe('idsync inactive --downgrade-authors on the sandbox', { timeout: 60_000 }, () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
  }, 60_000);
  afterAll(async () => t?.close());

  it('downgrades the Author who only views, keeps the one who authors, deletes none', async () => {
    const org = t.sandbox.org;
    const qs = org.quickSight;
    const activity = new DynamoActivityStore(t.doc, t.names.activity);
    await coverActivity(activity, [org.region], { from: ago(90), to: ago(0.01) });
    const authors = qs
      .list()
      .filter(
        (u) => u.role === 'AUTHOR' && (u.identityType === 'IAM' || u.identityType === 'QUICKSIGHT'),
      );
    expect(authors.length).toBeGreaterThanOrEqual(2);
    const [viewer, writer] = authors as [(typeof authors)[0], (typeof authors)[0]];
    const ns = org.namespace;
    const mark = (days: number, eventName: string) => ({
      at: ago(days),
      eventName,
      source: 'cloudtrail' as const,
    });
    await activity.recordMany([
      { namespace: ns, userName: activityUserName(viewer), newest: mark(1, 'GetDashboard') },
      {
        namespace: ns,
        userName: activityUserName(writer),
        newest: mark(1, 'GetDashboard'),
        authored: mark(3, 'UpdateAnalysis'),
      },
    ]);
    // Every other Author authored recently: only the viewer is idle as an Author.
    await activity.recordMany(
      authors.slice(2).map((u) => ({
        namespace: ns,
        userName: activityUserName(u),
        newest: mark(2, 'CreateDashboard'),
        authored: mark(2, 'CreateDashboard'),
      })),
    );
    const env = { IDSYNC_PROTECTED_ROLES: 'ADMIN,ADMIN_PRO' };

    const dry = await runCliOn(t.sandbox, ['inactive', '--days', '60', '--downgrade-authors'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^downgrade \(1\)$/m);
    expect(dry.stdout).toContain(viewer.userName);
    expect(dry.stdout).toContain('downgrades: 1 AUTHOR → READER × $21 = $21 a month saved');
    expect(qs.get(viewer.userName)?.role).toBe('AUTHOR');

    const deletesBefore = qs.deletes.size;
    const applied = await runCliOn(
      t.sandbox,
      ['inactive', '--days', '60', '--downgrade-authors', '--apply'],
      env,
    );
    expect(applied.code).toBe(0);
    expect(qs.get(viewer.userName)?.role).toBe('READER');
    expect(qs.updates.get(viewer.userName)).toBe(1);
    expect(qs.get(writer.userName)?.role).toBe('AUTHOR');
    expect(qs.updates.get(writer.userName) ?? 0).toBe(0);
    expect(qs.deletes.size).toBe(deletesBefore);
  });
});
