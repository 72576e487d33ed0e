import { laneAccount } from '../../shared/dynamo/sync-cursors.js';
import type { ActivitySyncJobResult } from '../activity/sync-job.js';

/**
 * The human summary of `idsync activity sync`: totals, then each region (its windows, its
 * coverage, or why it failed), then the account-wide coverage (every region's span intersected).
 */

const minute = (iso: string | undefined) => (iso ? iso.slice(0, 16).replace('T', ' ') : '—');

/** Control characters of a remote error message shown as `?` (one line, no terminal codes). */
const oneLine = (text: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it replaces
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

/** Why an event was not counted as anyone's use, in words: one and many. */
const IGNORED_PHRASES: Readonly<Record<string, readonly [one: string, many: string]>> = {
  'failed call': ['failed call', 'failed calls'],
  'session names nobody': ['session that names no user', 'sessions that name no user'],
  'ignored principal': ['call by an ignored principal', 'calls by ignored principals'],
  'anonymous embedding': ['anonymous embedding', 'anonymous embeddings'],
};

/** `ignored: 9 failed calls, 1 anonymous embedding` (pure). */
export function ignoredText(ignored: Readonly<Record<string, number>>): string {
  const parts = Object.entries(ignored)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => {
      const [one, many] = IGNORED_PHRASES[reason] ?? [reason, reason];
      return `${n} ${n === 1 ? one : many}`;
    });
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}

const counted = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * Where a sync read, from its lanes (shared/dynamo/sync-cursors.ts `syncLane`): `2 regions` for
 * the home account alone; with further QuickSight accounts (`<account>/<region>` lanes),
 * `3 lanes (2 regions, 2 accounts)` (pure).
 */
export function lanesText(lanes: readonly string[]): string {
  const regions = new Set(lanes.map((l) => l.slice(l.indexOf('/') + 1)));
  const accounts = new Set(lanes.map((l) => laneAccount(l) ?? ''));
  if (accounts.size <= 1) return counted(regions.size, 'region');
  return `${counted(lanes.length, 'lane')} (${counted(regions.size, 'region')}, ${counted(accounts.size, 'account')})`;
}

export function formatActivitySync(
  result: ActivitySyncJobResult,
  calls: { calls: number; throttled: number; retries: number },
): string {
  const lines = [
    `activity sync: ${result.pages} LookupEvents pages, ${result.events} QuickSight events in ${lanesText(result.regions.map((r) => r.region))}${result.resumed ? ' (resumed an interrupted window)' : ''}`,
    `  LookupEvents calls ${calls.calls} (throttled ${calls.throttled}, retried ${calls.retries})`,
  ];
  for (const r of result.regions) {
    const s = r.summary;
    if (!s) {
      lines.push(`  ${r.region}: FAILED: ${oneLine(r.error ?? 'unknown error')}`);
      continue;
    }
    lines.push(
      `  ${r.region}: ${s.pages} pages, ${s.events} events; covered ${s.covered ? `${minute(s.covered.from)} → ${minute(s.covered.to)} UTC` : 'nothing yet'}${s.caughtUp ? ', caught up' : ''}${s.repaired ? ' (a coverage past CloudTrail’s time was dropped: reading the history again)' : ''}`,
    );
    for (const w of s.windows)
      lines.push(
        `    ${w.kind} ${minute(w.from)} → ${minute(w.to)} UTC: ${w.finished ? 'read' : 'interrupted'} (${w.pages} pages, ${w.events} events)`,
      );
  }
  const every = result.regions.some((r) => laneAccount(r.region) !== undefined)
    ? 'every region of every account'
    : 'every region';
  lines.push(
    `  attributed ${result.attributed}, on-behalf-of unresolved ${result.unresolved}, not anyone's use: ${ignoredText(result.ignored)}`,
    `  pending (IdC users the identity map does not know yet): ${result.pending} events kept, ${result.pendingResolved} earlier ones attributed, ${result.pendingEvents} events of ${result.pendingUsers} IdC users still pending`,
    `  records written ${result.written} (${result.flushed} exact newest/oldest times flushed), unchanged (coalesced) ${result.unchanged}`,
    result.covered
      ? `  CloudTrail coverage (${every}): ${minute(result.covered.from)} → ${minute(result.covered.to)} UTC`
      : `  CloudTrail coverage (${every}): none yet`,
    result.failed.length > 0
      ? `  failed in ${result.failed.join(', ')}: run it again to resume from the cursors.`
      : result.caughtUp
        ? '  caught up.'
        : '  stopped before catching up: run it again to resume from the cursor.',
  );
  return lines.join('\n');
}
