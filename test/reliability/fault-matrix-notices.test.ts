import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoticeStore } from '../../services/notices/notice-store.js';
import { buildOrg, SMALL_SPEC } from '../../services/sandbox/scenarios/org.js';
import { mulberry32 } from '../../services/sandbox/scenarios/random.js';
import type { NoticeRecord } from '../../shared/notice-rule.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { STACK_LINE, spawnIdsync, until } from './fault-helpers.js';

/**
 * The fault matrix, notices (RELIABILITY.md, "Fault matrix"; services/notices/send-notices.ts):
 * SIGKILL of the real CLI (bin/idsync.js) during `inactive --apply` with IDSYNC_NOTICE_FROM set,
 * after the k-th message reached the SES stand-in's outbox (SES slowed by 40 ms a call, so kills
 * land between the before-record and the answer too). After the rerun:
 * - nobody got two notices (SES has no idempotency key: the before-record is what prevents it);
 * - every idle user has a notice: `sent` with one message in the outbox, or `sending` (the kill
 *   came between the before-record and the after-record) — then the rerun names them as needing
 *   attention (exit 4) and sends them nothing;
 * - nobody was deleted (the notice days have not passed).
 * RELIABILITY_SEED=<n> replays a run.
 */

const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_207);
const SETTINGS = {
  IDSYNC_LOG_LEVEL: 'silent',
  IDSYNC_MAX_DELETION_PERCENT: '100',
  IDSYNC_MAX_DELETIONS: '1000',
  IDSYNC_NOTICE_FROM: 'idsync@example.com',
  IDSYNC_NOTICE_DAYS: '14',
};
const INACTIVE = ['inactive', '--days', '60', '--json'];

describe(`fault matrix: SIGKILL while inactive --apply sends notices (seed ${SEED})`, {
  timeout: 120_000,
}, () => {
  let t: TestSandbox;
  const random = mulberry32(SEED);

  beforeAll(async () => {
    t = await startTestSandbox({
      org: buildOrg({ ...SMALL_SPEC, readers: 40 }, 17),
      activity: { seed: 4 },
      faults: { ses: { latencyMs: 40 } },
    });
    await snapshotOk(t.sandbox);
    const sync = await runCliOn(t.sandbox, ['activity', 'sync', '--days', '90']);
    expect(sync.code, sync.stderr).toBe(0);
  }, 90_000);
  afterAll(async () => t?.close());

  it('the rerun sends nobody a second notice and deletes nobody', async () => {
    const dry = await runCliOn(t.sandbox, INACTIVE, SETTINGS);
    expect(dry.code, dry.stderr).toBe(0);
    const idle = JSON.parse(dry.stdout).idle as Array<{ email: string; userName: string }>;
    expect(idle.length).toBeGreaterThanOrEqual(8);
    // Who the dry run would notify: the idle users but the protected ones (never told).
    const toNotify = JSON.parse(dry.stdout).notices.notify as number;
    expect(toNotify).toBeGreaterThanOrEqual(8);
    expect(toNotify).toBeLessThanOrEqual(idle.length);
    const outbox = t.sandbox.ses.state.outbox;
    const k = 1 + Math.floor(random() * (toNotify - 2));

    const killed = spawnIdsync(t, [...INACTIVE, '--apply'], SETTINGS);
    const point = await until(killed.done, () =>
      outbox.length >= k ? `after ${outbox.length} of ${toNotify} notices` : undefined,
    );
    killed.child.kill('SIGKILL');
    const end = await killed.done;
    expect(point, 'the kill landed mid-send').toBeDefined();
    expect(end.signal).toBe('SIGKILL');

    const rerun = await runCliOn(t.sandbox, [...INACTIVE, '--apply'], SETTINGS);
    expect(`${rerun.stdout}${rerun.stderr}`).not.toMatch(STACK_LINE);
    const store = new NoticeStore(t.doc, t.names.notices);
    const notices: NoticeRecord[] = [];
    for await (const page of store.all()) notices.push(...page);
    const perRecipient = new Map<string, number>();
    for (const m of t.sandbox.ses.state.outbox)
      for (const to of m.to)
        perRecipient.set(to.toLowerCase(), (perRecipient.get(to.toLowerCase()) ?? 0) + 1);
    expect(Math.max(...perRecipient.values())).toBe(1);
    expect(notices).toHaveLength(toNotify);
    const sending = notices.filter((n) => n.state === 'sending');
    for (const n of notices) {
      const got = perRecipient.get(n.email.toLowerCase()) ?? 0;
      if (n.state === 'sent') expect(got, n.userName).toBe(1);
      else expect(n.state, n.userName).toBe('sending');
    }
    expect(rerun.code, rerun.stderr).toBe(sending.length > 0 ? 4 : 0);
    const attention = JSON.parse(rerun.stdout).notices.attention as Array<{ userName: string }>;
    expect(attention.map((a) => a.userName).sort()).toEqual(sending.map((n) => n.userName).sort());
    expect(t.sandbox.org.quickSight.deletes.size).toBe(0);
    console.info(
      `fault matrix (notices), seed ${SEED}: killed ${point}; ${sending.length} left sending, ${perRecipient.size} notified once`,
    );
  });
});
