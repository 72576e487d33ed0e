import type { AuditRecord } from '../../shared/dynamo/audit-store.js';
import type { NoticeRunResult } from './notice-run.js';

/**
 * The audit rows (kind `notice`) of what an `idsync inactive --apply` run did with notices: one
 * per send attempt, `outcome` `sent` (detail: SES's MessageId), `refused` (SES's reason),
 * `unknown` (no answer: the notice may have been sent), `not-sent` (SES answered it sent nothing)
 * or `raced` (another run recorded it first), and one `closed` per notice closed by activity.
 */
export function noticeRows(runId: string, at: string, result: NoticeRunResult): AuditRecord[] {
  const sends = (result.sent?.notices ?? []).map(
    (n): AuditRecord => ({
      runId,
      at,
      kind: 'notice',
      email: n.user.email,
      userName: n.user.userName,
      source: 'inactive',
      outcome: n.outcome,
      ...(n.detail === undefined
        ? {}
        : n.outcome === 'sent'
          ? { detail: { messageId: n.detail } }
          : { reason: n.detail }),
    }),
  );
  const closed = result.closed.map(
    (n): AuditRecord => ({
      runId,
      at,
      kind: 'notice',
      email: n.email,
      userName: n.userName,
      source: 'inactive',
      outcome: 'closed',
      reason: 'active since the notice',
      ...(n.sentAt ? { detail: { sentAt: n.sentAt } } : {}),
    }),
  );
  return [...sends, ...closed];
}
