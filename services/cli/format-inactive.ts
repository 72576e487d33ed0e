import type { AuditRecord } from '../../shared/dynamo/audit-store.js';
import { utcDay } from '../../shared/idle-rule.js';
import { escapeTerminalText } from '../../shared/terminal-text.js';
import type { InactiveResult, InactiveSelection } from '../removals/removals.js';

const n = (v: number) => v.toLocaleString('en-US');

export interface InactiveTextOptions {
  readonly days: number;
  readonly roles: readonly string[];
  /** `--downgrade-authors`: the roles are judged by authoring, not by any activity. */
  readonly authoring?: boolean;
  /** IDSYNC_INACTIVE_KEEP_GROUPS. */
  readonly keepGroups?: readonly string[];
  readonly warnDays?: number | undefined;
  readonly limit: number;
}

/** What the record holds and what the idle rule found, before the plan's own text. */
export function formatInactive(result: InactiveResult, o: InactiveTextOptions): string {
  const { history, selection } = result;
  const c = selection.counts;
  const ct = history.cloudtrail;
  const lines = [
    `activity record: ${ct ? `CloudTrail from ${ct.from} to ${ct.to}` : 'no CloudTrail history'}${history.imported > 0 ? `, console imports for ${n(history.imported)} users` : ''}`,
    `idle rule: ${o.roles.join(', ')} users with no ${o.authoring ? 'authoring' : 'activity'} in ${o.days} days: ${n(c.judged)} judged, ${n(c.idle)} idle, ${n(c.active)} active, ${n(c.created)} new within ${o.days} days, ${n(c.uncovered)} not covered by the record, ${n(c.kept)} kept (keep groups)` +
      (c.unmanaged > 0
        ? `; ${n(c.unmanaged)} users of people idsync does not manage (never touched)`
        : ''),
  ];
  if (o.keepGroups && o.keepGroups.length > 0) {
    const kept = selection.kept;
    lines.push(
      '',
      `kept: members of ${o.keepGroups.join(', ')} (IDSYNC_INACTIVE_KEEP_GROUPS) are never idle (${n(kept.length)})`,
    );
    for (const u of kept.slice(0, o.limit))
      lines.push(
        escapeTerminalText(`  ${u.email}  ${u.userName} [${u.role}]  ${u.verdict.reason}`),
      );
    if (kept.length > o.limit)
      lines.push(`  … and ${n(kept.length - o.limit)} more (--json lists all)`);
  }
  if (o.warnDays !== undefined) {
    const soon = selection.idleSoon;
    lines.push('', `idle within ${o.warnDays} days (${n(soon.length)})`);
    for (const u of soon.slice(0, o.limit)) {
      const after = u.verdict.idle ? '' : (u.verdict.idleAfter ?? '');
      lines.push(
        escapeTerminalText(
          `  ${u.email}  ${u.userName} [${u.role}]  idle after ${utcDay(after)} (${u.verdict.reason})`,
        ),
      );
    }
    if (soon.length > o.limit)
      lines.push(`  … and ${n(soon.length - o.limit)} more (--json lists all)`);
  }
  return lines.join('\n');
}

/**
 * Audit decision rows (decision `kept`, source `inactive`) for the users kept as members of a keep
 * group: the report's Idle Readers section lists them.
 */
export function keptRows(runId: string, at: string, s: InactiveSelection): AuditRecord[] {
  return s.kept.map((u) => ({
    runId,
    at,
    kind: 'decision' as const,
    email: u.email,
    userName: u.userName,
    role: u.role,
    source: 'inactive',
    decision: 'kept',
    reason: u.verdict.reason,
    ...(u.verdict.idle === false && u.verdict.why === 'kept'
      ? { detail: { keepGroup: u.verdict.group } }
      : {}),
  }));
}

/** Audit rows (kind `idle_soon`) for the users who turn idle soon: the report lists them. */
export function idleSoonRows(runId: string, at: string, s: InactiveSelection): AuditRecord[] {
  return s.idleSoon.map((u) => ({
    runId,
    at,
    kind: 'idle_soon' as const,
    email: u.email,
    userName: u.userName,
    role: u.role,
    source: 'inactive',
    reason: u.verdict.reason,
    ...(!u.verdict.idle && u.verdict.idleAfter
      ? { detail: { idleAfter: u.verdict.idleAfter } }
      : {}),
  }));
}
