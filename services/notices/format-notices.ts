import { escapeTerminalText } from '../../shared/terminal-text.js';
import type { NoticeRunResult } from './notice-run.js';

/**
 * The notices part of `idsync inactive`'s output, and its JSON summary. Every user needing
 * attention is named with the reason and the next command.
 */

export interface NoticeSummary {
  readonly deletable: number;
  readonly notify: number;
  readonly waiting: number;
  readonly attention: { readonly userName: string; readonly reason: string }[];
  readonly closed: number;
  readonly sent?: Record<string, number>;
  readonly stopped?: string;
}

export function summarizeNotices(result: NoticeRunResult): NoticeSummary {
  const count = (kind: string) => result.steps.filter((s) => s.kind === kind).length;
  const sent: Record<string, number> = {};
  for (const n of result.sent?.notices ?? []) sent[n.outcome] = (sent[n.outcome] ?? 0) + 1;
  const attention = [
    ...result.steps
      .filter((s) => s.kind === 'attention')
      .map((s) => ({ userName: s.user.userName, reason: s.reason })),
    ...(result.sent?.notices ?? [])
      .filter((n) => n.outcome === 'refused' || n.outcome === 'unknown')
      .map((n) => ({
        userName: n.user.userName,
        reason:
          n.outcome === 'refused'
            ? `SES refused the notice (${n.detail ?? ''}): not deleted`
            : `no answer from SES (${n.detail ?? ''}): the notice may have been sent; idsync notices resolve ${n.user.userName} --sent or --resend`,
      })),
  ];
  return {
    deletable: count('delete'),
    notify: count('notify'),
    waiting: count('wait'),
    attention,
    closed: result.closed.length,
    ...(result.sent ? { sent } : {}),
    ...(result.sent?.stopped ? { stopped: result.sent.stopped } : {}),
  };
}

export function formatNotices(
  result: NoticeRunResult,
  options: { apply: boolean; days: number; limit?: number },
): string {
  const s = summarizeNotices(result);
  const lines = [
    `Notices (IDSYNC_NOTICE_FROM; deleted only ${options.days} days after a notice, idle since): ` +
      `${s.deletable} may be deleted, ${s.waiting} noticed and waiting, ` +
      (options.apply
        ? `${s.sent?.sent ?? 0} notices sent now`
        : `${s.notify} would be sent a notice (dry run: nothing sent)`) +
      `, ${s.closed} ${options.apply ? 'closed' : 'would be closed'} (active since the notice).`,
  ];
  if (options.apply && s.notify > (s.sent?.sent ?? 0)) {
    const other = Object.entries(s.sent ?? {})
      .filter(([k]) => k !== 'sent')
      .map(([k, v]) => `${v} ${k}`);
    if (other.length > 0) lines.push(`  not sent: ${other.join(', ')}`);
  }
  if (s.stopped) lines.push(`  ${escapeTerminalText(s.stopped)}`);
  if (!options.apply) {
    const names = result.steps.filter((x) => x.kind === 'notify').map((x) => x.user.email);
    const shown = names.slice(0, options.limit ?? 20);
    for (const n of shown) lines.push(`  would notify ${escapeTerminalText(n)}`);
    if (names.length > shown.length) lines.push(`  … and ${names.length - shown.length} more`);
  }
  if (s.attention.length > 0) {
    lines.push(`Needs attention (${s.attention.length}, not deleted):`);
    for (const a of s.attention)
      lines.push(`  ${escapeTerminalText(a.userName)}: ${escapeTerminalText(a.reason)}`);
  }
  return lines.join('\n');
}
