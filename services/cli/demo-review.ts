import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { buildStores } from '../../shared/clients-from-config.js';
import { loadConfig } from '../../shared/config/index.js';
import type { Sandbox } from '../sandbox/start-sandbox.js';
import type { DemoRun } from './demo-idle.js';

/**
 * The demo's monthly-review chapter (services/cli/demo.ts): `idsync review start --apply` with
 * notices on sends each idle Reader a notice (the SES stand-in's outbox) and puts nobody up;
 * a month later the review puts up the users noticed and idle since, the operator approves,
 * the worker deletes exactly that set, and the final report is in the reports bucket (S3
 * stand-in) behind a pre-signed link. The demo stands in for the month: it counts the notice
 * days as passed (IDSYNC_NOTICE_DAYS=0) and empties the guard window of today's deletions.
 */

export interface ReviewChapterResult {
  readonly code: number;
  readonly noticed: number;
  readonly approved: number;
  readonly deleted: number;
  /** The final report fetched through its pre-signed link, when there is one. */
  readonly finalReport?: string;
}

/** A rule a few days shorter than the 60 the idle chapter used: only a few Readers qualify. */
export const REVIEW_DAYS = 58;

const n = (v: number) => v.toLocaleString('en-US');

export async function reviewChapter(
  sandbox: Sandbox,
  env: Record<string, string>,
  run: DemoRun,
  say: (text: string) => void,
  note: (text: string) => void,
): Promise<ReviewChapterResult> {
  const { org } = sandbox;
  const from = `idsync@${org.subject.split('@')[1] ?? 'example.com'}`;
  const reviewEnv = {
    ...env,
    IDSYNC_INACTIVE_DAYS: String(REVIEW_DAYS),
    IDSYNC_NOTICE_FROM: from,
    IDSYNC_NOTICE_DAYS: '14',
  };
  const none = { noticed: 0, approved: 0, deleted: 0 };
  say(
    `The monthly review. In AWS a Step Functions workflow runs it on the 1st of each month; idsync review start --apply runs the same steps here. ` +
      `Notices are on (IDSYNC_NOTICE_FROM=${from}): an idle user first gets an email and is put up for removal only ${reviewEnv.IDSYNC_NOTICE_DAYS} days later if still idle. ` +
      `The review uses a ${REVIEW_DAYS}-day rule here so that a few more Readers qualify after the idle chapter.`,
  );
  const outboxBefore = sandbox.ses.state.outbox.length;
  const first = await run(['review', 'start', '--apply'], reviewEnv);
  if (first.code !== 0) return { code: first.code, ...none };
  const outbox = sandbox.ses.state.outbox.slice(outboxBefore);
  const sample = outbox[0];
  note(
    `The SES stand-in's outbox (idsync sandbox outbox) now holds ${n(outbox.length)} notices, nobody was put up for removal` +
      (sample ? `; e.g. to ${sample.to[0] ?? '?'}: "${sample.subject}".` : '.'),
  );

  say(
    `A month later (the demo stands in for the time: the ${reviewEnv.IDSYNC_NOTICE_DAYS} notice days count as passed and the guard window forgets today's deletions), the review runs again. ` +
      'It sends no second notice and puts up the noticed users who stayed idle; the operators get the summary on the SNS topic (idsync sandbox notices) with a pre-signed link to the report and the approval input to copy.',
  );
  await emptyGuardWindow(reviewEnv);
  const later = { ...reviewEnv, IDSYNC_NOTICE_DAYS: '0' };
  const second = await run(['review', 'start', '--apply'], later);
  const runId = /idsync review approve (\S+)/.exec(second.stdout)?.[1];
  const approved = Number(/puts ([\d,]+) QuickSight users up/.exec(second.stdout)?.[1] ?? '0');
  if (second.code !== 0 || !runId)
    return { code: second.code || 1, ...none, noticed: outbox.length };

  say(
    `The operator opens the report, approves (idsync review approve ${runId}; in AWS: the approval function with the input from the notice), and the worker deletes exactly the approved users, each checked again just before its call.`,
  );
  const before = new Set(org.quickSight.deletes.keys());
  const decided = await run(['review', 'approve', runId], later);
  const deleted = [...org.quickSight.deletes.keys()].filter((k) => !before.has(k)).length;
  const link = /Final report: (\S+)/.exec(decided.stdout)?.[1];
  const finalReport =
    link?.startsWith('http') === true ? await (await fetch(link)).text() : undefined;
  note(
    `The stand-in saw ${n(deleted)} deletions for the ${n(approved)} approved users; ${sandbox.ses.state.outbox.length - outboxBefore - outbox.length} more notices were sent. ` +
      `The final report is in the reports bucket (S3 stand-in)${finalReport ? `, read through its pre-signed link (${n(finalReport.length)} bytes of HTML)` : ''}.`,
  );
  return {
    code: decided.code,
    noticed: outbox.length,
    approved,
    deleted,
    ...(finalReport ? { finalReport } : {}),
  };
}

/** Forgets the deletions the guard window holds (the demo's stand-in for a month passing). */
export async function emptyGuardWindow(env: Record<string, string>): Promise<void> {
  const config = loadConfig([], env);
  const stores = buildStores(config);
  try {
    const items = await stores.doc.send(new ScanCommand({ TableName: stores.names.guard }));
    for (const item of items.Items ?? [])
      await stores.doc.send(
        new DeleteCommand({ TableName: stores.names.guard, Key: { pk: item.pk } }),
      );
  } finally {
    stores.close();
  }
}
