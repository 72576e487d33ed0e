import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPages } from '../../../services/audit/audit-pages.js';
import { ruleNotices } from '../../../services/notices/rule-notices.js';
import { composeRemovals } from '../../../services/removals/compose-removals.js';
import { decideReview } from '../../../services/review/decide-review.js';
import { directoryReports } from '../../../services/review/review-ports.js';
import { startReview } from '../../../services/review/start-review.js';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { activityUserName } from '../../../shared/activity-record.js';
import { buildStores } from '../../../shared/clients-from-config.js';
import { loadConfig } from '../../../shared/config/index.js';
import { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import { DynamoReviewStore } from '../../../shared/dynamo/review-store.js';
import { DynamoTaskStore } from '../../../shared/dynamo/task-store.js';
import type { Task } from '../../../shared/task.js';
import { coverActivity } from '../../helpers/activity-coverage.js';
import {
  runCliOn,
  silentLogger,
  snapshotOk,
  startTestSandbox,
  type TestSandbox,
} from '../../helpers/sandbox.js';

/**
 * `idsync review` on the sandbox (no Step Functions there: approve runs the steps directly, the
 * worker in-process): a dry run writes nothing, tasks awaiting approval are never deleted by
 * `idsync apply`, reject and expire delete nobody, approval deletes exactly the approved set.
 */

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const IDLE = 5;

describe('idsync review on the sandbox', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let dir: string;
  let tasks: DynamoTaskStore;
  let idleNames: string[] = [];
  const env = () => ({ IDSYNC_REVIEW_APPROVAL_DAYS: '3' });
  const cli = (...argv: string[]) => runCliOn(t.sandbox, argv, env());
  const statuses = async (runId: string) => {
    const out: Record<string, number> = {};
    for (const s of ['AWAITING_APPROVAL', 'PENDING', 'DONE', 'CANCELLED'] as const)
      for await (const page of tasks.ofReview(s, runId))
        if (page.length > 0) out[s] = (out[s] ?? 0) + page.length;
    return out;
  };

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
    const activity = new DynamoActivityStore(t.doc, t.names.activity);
    await coverActivity(activity, [t.sandbox.org.region], { from: ago(90), to: ago(0.01) });
    const readers = t.sandbox.org.people.filter((p) => p.kind === 'reader' && !p.protected);
    idleNames = readers
      .slice(0, IDLE)
      .map((p) => p.quickSightUsers[0]?.userName ?? '')
      .sort();
    // Every other user was active 5 days ago: the review puts exactly these few up.
    for (const u of t.sandbox.org.quickSight.list()) {
      if (idleNames.includes(u.userName)) continue;
      await activity.recordActivity(t.sandbox.org.namespace, activityUserName(u), {
        at: ago(5),
        eventName: 'GetDashboard',
        source: 'cloudtrail',
      });
    }
    tasks = new DynamoTaskStore(t.doc, t.names.tasks);
    dir = await mkdtemp(join(tmpdir(), 'idsync-review-'));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a dry run shows the idle users it would put up and writes nothing', async () => {
    const dry = await cli('review', 'start', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    const out = JSON.parse(dry.stdout);
    expect(out.tasks.map((x: Task) => x.userName).sort()).toEqual(idleNames);
    expect(out.tasks.every((x: Task) => x.source === 'inactive' && x.role === 'READER')).toBe(true);
    expect((await cli('review', 'list')).stdout).toMatch(/no reviews yet/);
    expect(await statuses(out.review.runId)).toEqual({});
  });

  it('a start killed while it writes its tasks, run again with its run id, puts each up once', async () => {
    const config = loadConfig(['plan', 'quicksight', 'inactive', 'activity', 'report'], {
      ...t.sandbox.env,
      ...env(),
    });
    const stores = buildStores(config);
    try {
      let left = 2;
      const dying = Object.assign(Object.create(stores.tasks) as DynamoTaskStore, {
        enqueueForReview: async (...a: Parameters<DynamoTaskStore['enqueueForReview']>) => {
          if (left-- <= 0) throw new Error('SIGKILL');
          return stores.tasks.enqueueForReview(...a);
        },
      });
      const deps = (taskStore: DynamoTaskStore) => ({
        stores: { ...stores, tasks: taskStore },
        reviews: new DynamoReviewStore(stores.doc, stores.names.reviews),
        activity: new DynamoActivityStore(stores.doc, stores.names.activity),
        removals: composeRemovals(
          config,
          { stores: { ...stores, tasks: taskStore }, logger: silentLogger() },
          { dryRun: false },
        ),
        logger: silentLogger(),
        reports: directoryReports(dir),
        auditPages: auditPages(stores),
        operators: { publish: async () => undefined },
      });
      await expect(
        startReview(deps(dying), config, { runId: 'killed-start', apply: true }),
      ).rejects.toThrow('SIGKILL');
      expect((await deps(tasks).reviews.get('killed-start'))?.status).toBe('PLANNING');
      const again = await startReview(deps(tasks), config, { runId: 'killed-start', apply: true });
      expect(again.review).toMatchObject({ status: 'AWAITING', counts: { idle: IDLE } });
      expect(await statuses('killed-start')).toEqual({ AWAITING_APPROVAL: IDLE });
      // Clean up for the next test: rejected, nobody deleted.
      await decideReview(deps(tasks), 'killed-start', 'reject', 'test');
      expect(await statuses('killed-start')).toEqual({ CANCELLED: IDLE });
    } finally {
      stores.close();
    }
  });

  it('reject, then expiry, delete nobody; approval deletes exactly the approved set, once', async () => {
    const org = t.sandbox.org;
    const before = org.quickSight.size;
    const start = async () => {
      const r = await cli('review', 'start', '--apply', '--reports', dir, '--json');
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as {
        review: { runId: string; status: string; counts: { idle: number } };
        tasks: Task[];
      };
    };

    // Rejected: its tasks are cancelled, each with an audit row, nobody deleted.
    const a = await start();
    expect(a.review.status).toBe('AWAITING');
    const n = a.review.counts.idle;
    expect(n).toBe(IDLE);
    expect(await statuses(a.review.runId)).toEqual({ AWAITING_APPROVAL: n });
    expect(await readFile(join(dir, a.review.runId, 'review.csv'), 'utf8')).toMatch(
      /^email,userName,role,source,status,reason\n/,
    );
    expect(await readFile(join(dir, a.review.runId, 'review.html'), 'utf8')).toMatch(/<html/i);
    // Awaiting approval is not claimable: `idsync apply` deletes none of them, and says they are
    // held (exit 3: they wait for an operator's decision).
    const apply = await cli('apply', '--json');
    expect(apply.code, apply.stderr).toBe(3);
    expect(JSON.parse(apply.stdout).held).toMatchObject({ total: n, awaitingApproval: n });
    expect(org.quickSight.size).toBe(before);
    const rejected = await cli('review', 'reject', a.review.runId);
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(rejected.stdout).toMatch(
      new RegExp(`review ${a.review.runId} rejected: ${n} removals cancelled, nobody deleted`),
    );
    expect(await statuses(a.review.runId)).toEqual({ CANCELLED: n });
    expect((await cli('review', 'approve', a.review.runId)).code).toBe(2);
    const rows = await cli('audit', '--run', a.review.runId, '--format', 'json');
    const outcomes = JSON.parse(rows.stdout).filter((r: { kind: string }) => r.kind === 'outcome');
    expect(outcomes).toHaveLength(n);
    expect(org.quickSight.size).toBe(before);

    // Past its deadline: approval is refused, expiry cancels, nobody deleted.
    const b = await start();
    expect(b.review.counts.idle).toBe(n);
    expect((await cli('review', 'expire', b.review.runId)).code).toBe(2);
    await t.doc.send(
      new UpdateCommand({
        TableName: t.names.reviews,
        Key: { runId: b.review.runId },
        UpdateExpression: 'SET deadline = :past',
        ExpressionAttributeValues: { ':past': ago(0.001) },
      }),
    );
    const late = await cli('review', 'approve', b.review.runId);
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(
      /passed its deadline .*: it can only expire \(nothing is deleted\)/,
    );
    const expired = await cli('review', 'expire', b.review.runId);
    expect(expired.code, expired.stderr).toBe(0);
    expect(await statuses(b.review.runId)).toEqual({ CANCELLED: n });
    expect(org.quickSight.size).toBe(before);

    // Approved: the worker deletes exactly the approved set, each once.
    const c = await start();
    const approvedNames = c.tasks.map((x) => x.userName).sort();
    expect(approvedNames).toEqual(idleNames);
    const approved = await cli('review', 'approve', c.review.runId, '--reports', dir);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(new RegExp(`review ${c.review.runId} done: ${n} deleted`));
    expect(org.quickSight.size).toBe(before - n);
    const gone = new Set(org.quickSight.list().map((u) => u.userName));
    expect(approvedNames.filter((name) => gone.has(name))).toEqual([]);
    expect([...org.quickSight.deletes.values()].every((k) => k === 1)).toBe(true);
    expect(await statuses(c.review.runId)).toEqual({ DONE: n });
    const shown = await cli('review', 'show', c.review.runId);
    expect(shown.stdout).toMatch(new RegExp(`review ${c.review.runId}: DONE`));
    expect(shown.stdout).toMatch(/final report: .*final\.html/);
    // The final report counts the worker's deletions as the review's.
    const final = (await readFile(join(dir, c.review.runId, 'final.html'), 'utf8'))
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ');
    expect(final).toContain(`${n} QuickSight users deleted`);
    expect(final).not.toMatch(/this run deleted nothing itself/);
    const list = await cli('review', 'list');
    expect(
      list.stdout
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => l.split(/\s+/)[1]),
    ).toEqual(expect.arrayContaining(['DONE', 'EXPIRED', 'REJECTED']));
    // Approving again changes nothing.
    expect((await cli('review', 'approve', c.review.runId)).code).toBe(2);
    expect(org.quickSight.size).toBe(before - n);
  });
});

/**
 * The review with notices on (IDSYNC_NOTICE_FROM; services/notices/rule-notices.ts): its start
 * sends the notices (the SES stand-in's outbox) and puts up only users noticed at least
 * IDSYNC_NOTICE_DAYS ago and idle since; a kill during the sends, rerun, sends nobody a second
 * notice; a user active after the notice is kept; approval deletes exactly the approved set.
 */
describe('idsync review with notices to users', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let idleNames: string[] = [];
  let env: Record<string, string>;
  const outbox = () => t.sandbox.ses.state.outbox;
  const cli = (argv: string[], more: Record<string, string> = {}) =>
    runCliOn(t.sandbox, argv, { ...env, ...more });
  const deletesOf = (name: string) => t.sandbox.org.quickSight.deletes.get(name) ?? 0;

  beforeAll(async () => {
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
    const activity = new DynamoActivityStore(t.doc, t.names.activity);
    await coverActivity(activity, [t.sandbox.org.region], { from: ago(90), to: ago(0.01) });
    const readers = t.sandbox.org.people.filter((p) => p.kind === 'reader' && !p.protected);
    idleNames = readers
      .slice(0, IDLE)
      .map((p) => p.quickSightUsers[0]?.userName ?? '')
      .sort();
    for (const u of t.sandbox.org.quickSight.list()) {
      if (idleNames.includes(u.userName)) continue;
      await activity.recordActivity(t.sandbox.org.namespace, activityUserName(u), {
        at: ago(5),
        eventName: 'GetDashboard',
        source: 'cloudtrail',
      });
    }
    const domain = t.sandbox.org.subject.split('@')[1];
    env = {
      IDSYNC_NOTICE_FROM: `idsync@${domain}`,
      IDSYNC_NOTICE_DAYS: '14',
      IDSYNC_MAX_DELETION_PERCENT: '100',
    };
  }, 120_000);
  afterAll(async () => t?.close());

  it('a dry run lists who would be noticed and sends nothing', async () => {
    const dry = await cli(['review', 'start', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const out = JSON.parse(dry.stdout);
    expect(out.tasks).toEqual([]);
    expect(out.noticed.map((u: { userName: string }) => u.userName).sort()).toEqual(idleNames);
    expect(out.noticed[0].reason).toMatch(/^would be noticed now, up for removal from \d{4}-/);
    expect(outbox()).toHaveLength(0);
    // A protected user is never removed, so never told so: no notice, not put up either.
    const kept = idleNames[IDLE - 1] ?? '';
    const guarded = await cli(['review', 'start', '--json'], {
      IDSYNC_PROTECTED_USERS: kept.slice(kept.lastIndexOf('/') + 1),
    });
    const g = JSON.parse(guarded.stdout);
    expect(g.noticed.map((u: { userName: string }) => u.userName).sort()).toEqual(
      idleNames.filter((n) => n !== kept),
    );
    expect(g.tasks).toEqual([]);
  });

  it('a start killed during its sends, run again, sends no second notice and puts nobody up', async () => {
    const config = loadConfig(['plan', 'quicksight', 'inactive', 'activity', 'report', 'notice'], {
      ...t.sandbox.env,
      ...env,
    });
    const stores = buildStores(config);
    try {
      let sends = 0;
      const deps = (beforeSend?: () => void) => ({
        stores,
        reviews: new DynamoReviewStore(stores.doc, stores.names.reviews),
        activity: new DynamoActivityStore(stores.doc, stores.names.activity),
        removals: composeRemovals(config, { stores, logger: silentLogger() }, { dryRun: false }),
        logger: silentLogger(),
        reports: directoryReports(join(tmpdir(), 'idsync-review-notices')),
        auditPages: auditPages(stores),
        operators: { publish: async () => undefined },
        notices: ruleNotices(config, stores, beforeSend ? { beforeSend } : {}),
      });
      // SIGKILL after the third notice's before-record, before its SES call.
      const killed = deps(() => {
        if (++sends === 3) throw new Error('SIGKILL');
      });
      await expect(
        startReview(killed, config, { runId: 'noticed-start', apply: true }),
      ).rejects.toThrow('SIGKILL');
      expect(outbox()).toHaveLength(2);
      const again = await startReview(deps(), config, { runId: 'noticed-start', apply: true });
      // The one killed mid-send may have been told: never sent again, left to an operator.
      expect(outbox()).toHaveLength(IDLE - 1);
      const to = outbox().flatMap((m) => m.to.map((a) => a.toLowerCase()));
      expect(new Set(to).size).toBe(to.length);
      expect(again.tasks).toEqual([]);
      expect(again.review).toMatchObject({ status: 'DONE', counts: { idle: 0, noticed: IDLE } });
      const states = (again.noticed ?? []).map((u) => u.state).sort();
      // Two sent before the kill (now waiting), two sent by the rerun, the killed one unsure.
      expect(states).toEqual(['attention', 'noticed', 'noticed', 'waiting', 'waiting']);
      const unsure = again.noticed?.find((u) => u.state === 'attention');
      const resolved = await cli(['notices', 'resolve', unsure?.userName ?? '', '--sent']);
      expect(resolved.code, resolved.stderr).toBe(0);
    } finally {
      stores.close();
    }
  });

  it('the same month again sends nothing; the notice days later, approval deletes exactly the still-idle users and keeps the one active after the notice', async () => {
    const sent = outbox().length;
    const early = await cli(['review', 'start', '--apply', '--json']);
    expect(early.code, early.stderr).toBe(0);
    const e = JSON.parse(early.stdout);
    expect(e.review.status).toBe('DONE');
    expect(e.tasks).toEqual([]);
    expect(e.noticed.map((u: { reason: string }) => u.reason)).toEqual(
      Array(IDLE).fill(expect.stringMatching(/^noticed, up for removal from \d{4}-\d{2}-\d{2}$/)),
    );
    expect(outbox()).toHaveLength(sent);

    const active = idleNames[0] ?? '';
    await new DynamoActivityStore(t.doc, t.names.activity).recordActivity(
      t.sandbox.org.namespace,
      active,
      { at: new Date().toISOString(), eventName: 'GetDashboard', source: 'cloudtrail' },
    );
    const later = { IDSYNC_NOTICE_DAYS: '0' };
    const started = await cli(['review', 'start', '--apply', '--json'], later);
    expect(started.code, started.stderr).toBe(0);
    const s = JSON.parse(started.stdout);
    const upNames = s.tasks.map((x: Task) => x.userName).sort();
    expect(upNames).toEqual(idleNames.filter((n) => n !== active));
    expect(outbox()).toHaveLength(sent);
    const approved = await cli(['review', 'approve', s.review.runId], later);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(
      new RegExp(`review ${s.review.runId} done: ${IDLE - 1} deleted`),
    );
    expect(idleNames.map((n) => [n, deletesOf(n)])).toEqual(
      idleNames.map((n) => [n, n === active ? 0 : 1]),
    );
    // The final report went to the reports bucket (the sandbox sets IDSYNC_REPORTS_BUCKET): the
    // link is a pre-signed GET the S3 stand-in serves.
    const link = approved.stdout.match(/Final report: (\S+)/)?.[1] ?? '';
    expect(link).toMatch(/^http:\/\/.*\/runs\/.*\/final\.html\?.*X-Amz-Signature=/);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const text = (await page.text()).replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain(`${IDLE - 1} QuickSight users deleted`);
  });
});
