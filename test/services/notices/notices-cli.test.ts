import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoticeStore } from '../../../services/notices/notice-store.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { activityKey, activityUserName } from '../../../shared/activity-record.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import { DynamoAuditLog } from '../../../shared/dynamo/audit-store.js';
import type { NoticeRecord } from '../../../shared/notice-rule.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * Notices before idle deletion on the sandbox (services/notices/, shared/notice-rule.ts), through
 * the CLI and the SES v2 stand-in: a dry run sends nothing; `inactive --apply` sends one notice
 * per idle user and deletes nobody; a second run the same day sends none and deletes none; a run
 * the notice days later deletes the users still idle and keeps (and closes the notice of) the one
 * who used QuickSight after the notice.
 */

const GUARD = { IDSYNC_MAX_DELETION_PERCENT: '100' };
const IDLE = ['inactive', '--days', '60', '--json'];

describe('idsync inactive with notices (IDSYNC_NOTICE_FROM)', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let notices: NoticeStore;
  let idle: QuickSightUser[];
  let env: Record<string, string>;
  const outbox = () => t.sandbox.ses.state.outbox;
  const deletes = () => [...t.sandbox.org.quickSight.deletes.values()].reduce((a, b) => a + b, 0);
  const noticeOf = (u: QuickSightUser): Promise<NoticeRecord | undefined> =>
    notices.get(activityKey(t.sandbox.org.namespace, activityUserName(u)));

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg(), activity: { seed: 5 }, control: true });
    notices = new NoticeStore(t.doc, t.names.notices);
    const domain = t.sandbox.org.subject.split('@')[1];
    env = { ...GUARD, IDSYNC_NOTICE_FROM: `idsync@${domain}`, IDSYNC_NOTICE_DAYS: '14' };
    await snapshotOk(t.sandbox);
    const sync = await runCliOn(t.sandbox, ['activity', 'sync', '--days', '90']);
    expect(sync.code, sync.stderr).toBe(0);
  }, 90_000);
  afterAll(async () => t?.close());

  it('a dry run lists who would be sent a notice, sends nothing and deletes nobody', async () => {
    const dry = await runCliOn(t.sandbox, IDLE, env);
    expect(dry.code, dry.stderr).toBe(0);
    const out = JSON.parse(dry.stdout);
    const names = new Set((out.idle as Array<{ userName: string }>).map((u) => u.userName));
    idle = t.sandbox.org.quickSight.list().filter((u) => names.has(activityUserName(u)));
    expect(idle.length).toBeGreaterThanOrEqual(3);
    expect(out.notices).toMatchObject({ notify: idle.length, deletable: 0 });
    expect(out.plan.counts?.delete ?? 0).toBe(0);
    expect(outbox()).toHaveLength(0);
    expect(await noticeOf(idle[0] as QuickSightUser)).toBeUndefined();
  });

  it('inactive --apply sends one notice per idle user and deletes nobody', async () => {
    const run = await runCliOn(t.sandbox, [...IDLE, '--apply'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(deletes()).toBe(0);
    expect(outbox()).toHaveLength(idle.length);
    const to = new Set(outbox().flatMap((m) => m.to.map((a) => a.toLowerCase())));
    for (const u of idle) {
      expect(to.has((u.email ?? '').toLowerCase())).toBe(true);
      expect(await noticeOf(u)).toMatchObject({ state: 'sent' });
    }
    const first = outbox()[0];
    expect(first?.subject).toMatch(/will be removed after \d{4}-\d{2}-\d{2}/);
    expect(first?.text).toContain('sign in to QuickSight');
    const audit = new DynamoAuditLog(t.doc, t.names.audit);
    for (const u of idle.slice(0, 3)) {
      const rows = [];
      for await (const page of audit.byEmail((u.email ?? '').toLowerCase())) rows.push(...page);
      expect(rows.filter((r) => r.kind === 'notice').map((r) => r.outcome)).toEqual(['sent']);
    }
    // Paced to SES's MaxSendRate (14 a second): n messages span at least (n - 1) / 14 s.
    const times = outbox().map((m) => Date.parse(m.sentAt));
    const spanMs = Math.max(...times) - Math.min(...times);
    expect(spanMs).toBeGreaterThanOrEqual(((idle.length - 1) * 1000) / 14 - 50);
  });

  it('idsync sandbox outbox shows them (to, subject, time) and --clear empties it', async () => {
    const shown = await runCliOn(t.sandbox, ['sandbox', 'outbox']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`${idle.length} message(s) in the SES outbox`);
    expect(shown.stdout).toContain((idle[0] as QuickSightUser).email ?? '');
    const json = await runCliOn(t.sandbox, ['sandbox', 'outbox', '--json']);
    expect(JSON.parse(json.stdout).messages).toHaveLength(idle.length);
    const saved = [...outbox()];
    const cleared = await runCliOn(t.sandbox, ['sandbox', 'outbox', '--clear']);
    expect(cleared.stdout).toContain(`outbox cleared (${idle.length} message(s) removed)`);
    expect(outbox()).toHaveLength(0);
    for (const m of saved) t.sandbox.ses.state.add(m);
  });

  it('a second run the same day sends no notice and deletes nobody', async () => {
    const run = await runCliOn(t.sandbox, [...IDLE, '--apply'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).notices).toMatchObject({ waiting: idle.length, notify: 0 });
    expect(outbox()).toHaveLength(idle.length);
    expect(deletes()).toBe(0);
  });

  it('the notice days later: the still-idle users are deleted, the one active after the notice is kept and its notice closed', async () => {
    const active = idle[0];
    expect(active).toBeDefined();
    // Used QuickSight after the notice: as `activity sync` records it once CloudTrail delivers it.
    await new DynamoActivityStore(t.doc, t.names.activity).recordActivity(
      t.sandbox.org.namespace,
      activityUserName(active as QuickSightUser),
      { at: new Date().toISOString(), eventName: 'GetDashboard', source: 'cloudtrail' },
    );
    const run = await runCliOn(t.sandbox, [...IDLE, '--apply', '--max-deletions', '500'], {
      ...env,
      IDSYNC_NOTICE_DAYS: '0',
    });
    expect(run.code, run.stderr).toBe(0);
    const { deletes: byUser } = t.sandbox.org.quickSight;
    expect(
      idle.map((u) => [activityUserName(u), byUser.get(activityUserName(u)) ?? 0]),
      run.stdout,
    ).toEqual(
      // IAM_IDENTITY_CENTER users are never deleted (QuickSight refuses): ends_with_group instead.
      idle.map((u) => [
        activityUserName(u),
        u === active || u.identityType === 'IAM_IDENTITY_CENTER' ? 0 : 1,
      ]),
    );
    expect(await noticeOf(active as QuickSightUser)).toMatchObject({ state: 'closed' });
    expect(outbox()).toHaveLength(idle.length);
  });
});
