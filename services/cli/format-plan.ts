import { DECISION_KINDS, type Decision } from '../../shared/domain.js';
import { MAX_DELETIONS_FLAG, releaseCommand } from '../../shared/release-command.js';
import { escapeTerminalText } from '../../shared/terminal-text.js';
import { describeWindow, type PlanRunResult } from '../removals/removals.js';

/** Exit 3 when the guard tripped, held a QuickSight account's writes, or the guard window blocked deletions. */
export function planGuardBlocked(result: PlanRunResult): boolean {
  return (
    result.plan.guard.tripped ||
    (result.plan.guard.heldAccounts?.length ?? 0) > 0 ||
    (result.window?.blocked ?? 0) > 0
  );
}

const n = (v: number) => v.toLocaleString('en-US');

/** How many rows of each decision group the human output lists before "… and N more". */
export const DEFAULT_LIST_LIMIT = 25;

const SOURCE_LABEL: Record<Decision['source'], string> = {
  group_removal: 'left the groups',
  deleted_event: 'IdC user deleted',
  csv: 'listed in the CSV',
  inactive: 'idle',
  group_role: 'role follows group',
};

/**
 * One line per decision: who, which QuickSight user, and why (the full reason is in --json).
 * Names, emails and reasons come from outside: bidi and control characters show escaped.
 */
function decisionLine(d: Decision): string {
  const user = d.quickSightUser;
  const who = user ? `${user.userName} [${user.role}]` : '(no QuickSight user)';
  const why =
    d.decision === 'delete'
      ? d.sources.map((s) => SOURCE_LABEL[s]).join(', ') +
        (d.detail ? ` (${d.detail})` : '') +
        (d.member && d.source === 'csv' ? ' (still in a configured group)' : '')
      : d.decision === 'blocked'
        ? d.windowBlocked
          ? 'blocked: guard window budget spent (queued BLOCKED)'
          : 'blocked by the guard (below)'
        : d.reason;
  return escapeTerminalText(`  ${d.email}  ${who}  ${why}`);
}

/** The human text of a plan: where it came from, counts, then the decisions grouped by kind. */
export function formatPlan(result: PlanRunResult, options: { limit?: number } = {}): string {
  const limit = options.limit ?? DEFAULT_LIST_LIMIT;
  const { plan, snapshot } = result;
  const lines = [
    `plan ${result.runId} from snapshot ${snapshot.runId} (${snapshot.startedAt}): ${n(result.currentMembers)} group members, ${n(result.quickSightUsers)} QuickSight users`,
  ];
  if (result.diff) {
    lines.push(
      `since the previous snapshot: ${n(result.diff.joined.length)} joined, ${n(result.diff.left.length)} left`,
    );
  }
  lines.push(
    `decisions: ${DECISION_KINDS.map((k) => `${k} ${n(plan.counts[k])}`).join(', ')}` +
      (result.settledLeavers
        ? ` (and ${n(result.settledLeavers)} earlier leavers with no QuickSight user left)`
        : ''),
  );
  if (result.window) lines.push(describeWindow(result.window));
  const members = plan.decisions.filter((d) => d.decision === 'delete' && d.member).length;
  if (members > 0) {
    lines.push(
      `${n(members)} of the deletions are of people still in a configured group (deleted as ${plan.decisions.some((d) => d.member && d.source === 'csv') ? 'listed; --keep-members keeps them' : 'idle'})`,
    );
  }
  const t = result.tasks;
  if (t.created || t.existing || t.cancelled || t.blocked) {
    lines.push(
      `tasks: ${n(t.created)} queued, ${n(t.blocked)} queued BLOCKED, ${n(t.existing)} already queued, ${n(t.cancelled)} cancelled (person re-joined)`,
    );
  }
  for (const kind of DECISION_KINDS) {
    const group = plan.decisions.filter((d) => d.decision === kind);
    if (group.length === 0) continue;
    lines.push('', `${kind} (${n(group.length)})`);
    const shown = group.slice(0, limit);
    lines.push(...shown.map(decisionLine));
    if (shown.length < group.length)
      lines.push(`  … and ${n(group.length - shown.length)} more (--json lists all)`);
  }
  if (result.roleNotes && result.roleNotes.length > 0) {
    lines.push('', `role follows group: ${n(result.roleNotes.length)} note(s)`);
    const shown = result.roleNotes.slice(0, limit);
    lines.push(...shown.map((note) => escapeTerminalText(`  ${note}`)));
    if (shown.length < result.roleNotes.length)
      lines.push(`  … and ${n(result.roleNotes.length - shown.length)} more (--json lists all)`);
  }
  // Role follows group prices each change; a downgrade run prices its own (format-downgrades.ts).
  const changes = plan.decisions.filter(
    (d) =>
      (d.decision === 'upgrade' || d.decision === 'downgrade') && d.monthlyChange !== undefined,
  );
  if (changes.length > 0) {
    const monthly = changes.reduce((sum, d) => sum + (d.monthlyChange ?? 0), 0);
    lines.push(
      `role changes: ${n(changes.length)}, ${monthly <= 0 ? 'saving' : 'adding'} $${Math.abs(Math.round(monthly * 100) / 100).toLocaleString('en-US')} a month`,
    );
  }
  // Every hint names a command that does what it says if run next: a plan that queued nothing (a
  // dry run) has no BLOCKED task to release.
  const queuedNothing = t.created + t.blocked + t.existing === 0;
  if (result.window && result.window.blocked > 0) {
    lines.push(
      '',
      queuedNothing
        ? `GUARD WINDOW: ${n(result.window.blocked)} deletions exceed the budget of ${n(result.window.limit)} in ${result.window.hours} h and would be BLOCKED (this run queued nothing).`
        : `GUARD WINDOW: ${n(result.window.blocked)} deletions exceed the budget of ${n(result.window.limit)} in ${result.window.hours} h and are BLOCKED (kept, not deleted).`,
      queuedNothing
        ? `  With --apply they are queued BLOCKED; to delete them in that run too, add ${MAX_DELETIONS_FLAG} ${n(result.window.blocked)}.`
        : `  If they are intended, release them for one run: ${releaseCommand(n(result.window.blocked))}`,
    );
  }
  const heldAccounts = plan.guard.heldAccounts ?? [];
  if (!plan.guard.tripped && heldAccounts.length > 0)
    lines.push(
      '',
      `GUARD TRIPPED for QuickSight account${heldAccounts.length === 1 ? '' : 's'} ${heldAccounts.join(', ')}: nothing will be deleted there (the other accounts proceed).`,
      ...plan.guard.reasons.map((r) => `  ${r}`),
      plan.guard.howToOverride,
      `  The held deletions are BLOCKED tasks: idsync status lists them; release them with ${releaseCommand()}.`,
    );
  if (plan.guard.tripped) {
    lines.push(
      '',
      'GUARD TRIPPED: nothing will be deleted.',
      ...plan.guard.reasons.map((r) => `  ${r}`),
      plan.guard.howToOverride,
    );
    if (t.blocked + t.existing > 0)
      lines.push(
        `  The deletions are held as BLOCKED tasks (${n(t.blocked)} new, ${n(t.existing)} already queued): idsync status lists them; release them with ${releaseCommand(n(t.blocked + t.existing))}.`,
      );
  }
  return lines.join('\n');
}
