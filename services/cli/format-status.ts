import {
  HELD_KINDS,
  heldLines,
  nextCommands,
  WORK_KINDS,
  WORK_LABELS,
  type WorkSummary,
} from '../../shared/held-work.js';
import { escapeTerminalText } from '../../shared/terminal-text.js';

/** The text of `idsync status`: every kind of unfinished removal, its age and the next command. */

const n = (v: number) => v.toLocaleString('en-US');

/** `45 s`, `12 min`, `3 h`, `2 d`: how long ago, for an operator. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}

/** How many held tasks the text lists one by one (all are in --json). */
export const HELD_LIST_LIMIT = 25;

export function formatStatus(s: WorkSummary): string {
  const now = Date.parse(s.at);
  const next = nextCommands(s);
  const total = WORK_KINDS.reduce((sum, k) => sum + s.groups[k].count, 0);
  if (total === 0) return `status at ${s.at}: no removal is queued, running or held.`;
  const lines = [`status at ${s.at}: ${n(total)} unfinished removals`];
  for (const kind of WORK_KINDS) {
    const g = s.groups[kind];
    if (g.count === 0) continue;
    const age = g.oldest ? `, oldest ${formatAge(now - Date.parse(g.oldest))}` : '';
    lines.push(`  ${WORK_LABELS[kind]}: ${n(g.count)}${age}`);
    if (next[kind]) lines.push(`    next: ${next[kind]}`);
  }
  const held = HELD_KINDS.flatMap((k) => s.groups[k].items);
  if (held.length > 0) {
    lines.push('', 'held removals (oldest first):');
    for (const i of held.slice(0, HELD_LIST_LIMIT)) {
      lines.push(
        escapeTerminalText(
          `  ${i.email}  ${i.userName} [${i.role}]  ${WORK_LABELS[i.kind]}, ${formatAge(now - Date.parse(i.since))}, plan ${i.runId}${i.why ? `: ${i.why}` : ''}`,
        ),
      );
    }
    if (held.length > HELD_LIST_LIMIT)
      lines.push(`  … and ${n(held.length - HELD_LIST_LIMIT)} more (--json lists all)`);
    lines.push('', ...heldLines(s));
  }
  return lines.join('\n');
}
