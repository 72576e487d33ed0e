import { describeSavings } from '../../shared/prices.js';
import type { AccountTotals } from './report-accounts.js';
import type { HandoverSection } from './report-handover.js';
import type { IdleSection, ReportModel } from './report-model.js';

/** The report's words: a run summarised in plain language for operators (pure, plain text). */

const n = (v: number) => v.toLocaleString('en-US');
const plural = (v: number, one: string, many: string) => `${n(v)} ${v === 1 ? one : many}`;

export function formatDay(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(iso));
}

export function formatTime(iso: string): string {
  return `${formatDay(iso)}, ${iso.slice(11, 16)} UTC`;
}

/** `$69`, `$2.50`, `$6,600`. */
export function formatMoney(usd: number): string {
  const cents = Number.isInteger(usd) ? 0 : 2;
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: cents, maximumFractionDigits: cents })}`;
}

const SOURCE_PHRASES: Readonly<Record<string, string>> = {
  group_removal: 'left the Google groups',
  deleted_event: 'had their IAM Identity Center user deleted',
  csv: 'were listed in a CSV file',
  inactive: 'had not used QuickSight for the days asked (idle)',
};

function whoLeft(bySource: Readonly<Record<string, number>>): string {
  const parts = Object.entries(bySource).sort((a, b) => b[1] - a[1]);
  if (parts.length === 1) return SOURCE_PHRASES[parts[0]?.[0] ?? ''] ?? 'were named for removal';
  const phrases = parts.map(
    ([s, c]) => `${SOURCE_PHRASES[s] ?? 'were named for removal'} (${n(c)})`,
  );
  return phrases.length > 1
    ? `${phrases.slice(0, -1).join(', ')} or ${phrases[phrases.length - 1]}`
    : 'were named for removal';
}

function countBySource(rows: readonly { readonly source?: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.source ?? 'unknown'] = (out[r.source ?? 'unknown'] ?? 0) + 1;
  return out;
}

/** What happened, in a few plain sentences: the headline first, then what was kept, missed or failed. */
export function summarySentences(m: ReportModel): string[] {
  const c = (k: string) => m.decisionCounts[k] ?? 0;
  const o = (k: string) => m.outcomeCounts[k] ?? 0;
  const on = m.startedAt ? `On ${formatDay(m.startedAt)}` : 'In this run';
  const out: string[] = [];
  const deletedPeople = new Set(m.rows.filter((r) => r.status === 'deleted').map((r) => r.email));
  // Held: decided `blocked` and not carried out since. A released task's row is `deleted` (its
  // decision stays `blocked`): the headline follows what happened, never the decision alone.
  const held = m.rows.filter((r) => r.status === 'blocked').length;
  const acted = o('deleted') > 0 || o('already_gone') > 0 || o('failed') > 0;
  const why = m.guardReasons.length > 0 ? ` (${m.guardReasons.join('; ')})` : '';
  if (held > 0 && !acted) {
    out.push(
      `${on} the safety guard stopped idsync before it deleted anything: it would have removed ${plural(held, 'QuickSight user', 'QuickSight users')}, more than allowed${why}. Nothing was deleted; check the list below, then re-run with the override the command printed if it is right.${m.dryRun ? ' This was a dry run (no --apply).' : ''}`,
    );
  } else if (acted) {
    out.push(
      `${on} idsync removed ${plural(o('deleted'), 'QuickSight user', 'QuickSight users')} of ${plural(deletedPeople.size, 'person', 'people')} who ${whoLeft(m.deletedBySource)}.`,
    );
    if (o('already_gone') > 0)
      out.push(
        `${plural(o('already_gone'), 'user was', 'users were')} already gone (deleted by someone else).`,
      );
    if (held > 0)
      out.push(
        `The safety guard held ${plural(held, 'more deletion', 'more deletions')}${why}: not deleted; idsync status lists them with the command that releases them.`,
      );
  } else if (m.dryRun) {
    out.push(
      c('delete') > 0
        ? `${on} idsync ran a dry run: nothing was deleted. It would remove ${plural(c('delete'), 'QuickSight user', 'QuickSight users')} of ${plural(new Set(m.rows.filter((r) => r.decision === 'delete').map((r) => r.email)).size, 'person', 'people')} who ${whoLeft(countBySource(m.rows.filter((r) => r.decision === 'delete')))}; run again with --apply to delete them.`
        : `${on} idsync ran a dry run: nothing was deleted, and it found no QuickSight user to remove.`,
    );
  } else if (c('delete') > 0) {
    out.push(
      `${on} idsync planned to remove ${plural(c('delete'), 'QuickSight user', 'QuickSight users')}; this run deleted nothing itself (a dry run, or the deletions run in a separate apply run with its own report).`,
    );
  } else {
    out.push(`${on} idsync found no QuickSight user to remove.`);
  }
  const kept = [
    c('protected') > 0 &&
      `${plural(c('protected'), 'user was', 'users were')} kept because their role (e.g. ADMIN or AUTHOR) or name is protected`,
    c('deferred') > 0 &&
      `${plural(c('deferred'), 'user was', 'users were')} left for later because the person is back in a group`,
    c('kept') > 0 &&
      `${plural(c('kept'), 'user was', 'users were')} kept as members of a keep group (IDSYNC_INACTIVE_KEEP_GROUPS), whatever their activity`,
    c('ends_with_group') > 0 &&
      `${plural(c('ends_with_group'), 'IAM Identity Center user was', 'IAM Identity Center users were')} not deleted: QuickSight refuses that, and ends their seat with the group (the 1st of the month after; the table says when, or which group to take the person out of)`,
    o('cancelled') > 0 &&
      `${plural(o('cancelled'), 'deletion was', 'deletions were')} cancelled because the person re-joined a group before it ran`,
  ].filter((s): s is string => typeof s === 'string');
  if (kept.length > 0) out.push(`${kept.join('; ')}.`);
  if (o('failed') > 0)
    out.push(
      `${plural(o('failed'), 'user', 'users')} could not be removed even after retries; they stay queued and the next run tries again (see "Needs attention").`,
    );
  const notFound = m.misses.filter((x) => x.kind === 'not_found').length;
  const badEvents = m.misses.filter((x) => x.kind.endsWith('_event')).length;
  const missed = [
    notFound > 0 &&
      `${plural(notFound, 'person', 'people')} named for removal had no QuickSight user`,
    badEvents > 0 &&
      `${plural(badEvents, 'deletion event', 'deletion events')} could not be traced to a person`,
    m.inputErrors > 0 && `${plural(m.inputErrors, 'input row was', 'input rows were')} unusable`,
  ].filter((s): s is string => typeof s === 'string');
  if (missed.length > 0) out.push(`Missed: ${missed.join('; ')}.`);
  return out;
}

/** The savings line: an estimate, and what it is based on (the price table, by role). */
export function savingsSentence(m: ReportModel): string {
  const { savings } = m;
  return `Estimated saving: about ${formatMoney(savings.monthly)} a month (${plural(savings.seats, 'user', 'users')} deleted: ${describeSavings(savings, formatMoney)} per month, IDSYNC_PRICES). This is an estimate from the list price, not a bill.`;
}

/** The Idle Readers section's headline: how many idle users, how many Readers deleted, the saving. */
export function idleSentence(idle: IdleSection): string {
  const named = idle.users.filter((r) => r.decision === 'delete' || r.status === 'deleted').length;
  const kept = idle.users.filter((r) => r.status === 'kept').length;
  const keptText =
    kept > 0
      ? ` ${plural(kept, 'user was', 'users were')} kept as members of a keep group (never idle).`
      : '';
  return `${plural(named, 'idle user was', 'idle users were')} named for deletion; ${plural(idle.deleted, 'idle user was', 'idle users were')} deleted in this run: about ${formatMoney(idle.savings.monthly)} a month saved (${describeSavings(idle.savings, formatMoney)}).${keptText} ${plural(idle.soon.length, 'user turns', 'users turn')} idle soon.`;
}

/** The Handed over section's headline: how many assets went to a successor, by type. */
export function handoverSentence(h: HandoverSection): string {
  const people = new Set(h.assets.map((a) => a.email)).size;
  const pending =
    h.unconfirmed.length > 0
      ? ` ${plural(h.unconfirmed.length, 'grant was', 'grants were')} recorded but not confirmed.`
      : '';
  return h.assets.length === 0
    ? `No asset was confirmed handed over.${pending}`
    : `${plural(h.assets.length, 'asset', 'assets')} of ${plural(people, 'departing user', 'departing users')} ${h.assets.length === 1 ? 'was' : 'were'} handed over to a successor before the seat ended or changed: ${h.text}.${pending}`;
}

/** One line of text per account and the total: "222222222222: 3 deleted, 1 failed · $54 a month". */
export function accountLine(t: AccountTotals): string {
  return `${t.account}: ${n(t.deleted)} deleted, ${n(t.failed)} failed, ${n(t.blocked)} held by the guard, ${n(t.kept)} kept, ${n(t.planned)} planned · saving about ${formatMoney(t.savings.monthly)} a month (${describeSavings(t.savings, formatMoney)})`;
}
