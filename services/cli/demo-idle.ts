import { DEFAULT_PRICES, describeSavings, savingsByRole } from '../../shared/prices.js';
import { UNNAMED_USER, unnamedUserKey } from '../../shared/quicksight-user-rules.js';
import { formatMoney } from '../audit/report-text.js';
import type { Sandbox } from '../sandbox/start-sandbox.js';

/**
 * The demo's idle-Reader chapter (services/cli/demo.ts): the activity record is filled from the
 * CloudTrail stand-in (`activity sync`), `inactive` plans the deletion of Readers idle for more
 * than 60 days (the guard trips, as for any large removal), and the operator applies it with an
 * override. Everything runs through the real commands, as an operator would type them.
 */

export type DemoRun = (
  argv: string[],
  env: Record<string, string>,
  quiet?: boolean,
) => Promise<{ code: number; stdout: string }>;

/** The guard's settings as the demo runs them, and where the idle run's report goes. */
export interface IdleChapterSettings {
  readonly maxDeletions: number;
  readonly guardWindowHours: number;
  readonly report: string;
}

export interface IdleChapterResult {
  readonly code: number;
  /** Idle Readers the generated activity holds, and how many of them the stand-in saw deleted. */
  readonly idleReaders: number;
  readonly deleted: number;
}

const n = (v: number) => v.toLocaleString('en-US');

export async function idleReaderChapter(
  sandbox: Sandbox,
  env: Record<string, string>,
  settings: IdleChapterSettings,
  run: DemoRun,
  say: (text: string) => void,
  note: (text: string) => void,
): Promise<IdleChapterResult> {
  const { activity, org } = sandbox;
  const readers = activity.users.filter((u) => u.role === 'READER' || u.role === 'READER_PRO');
  const idle = new Set(activity.idleReaders);
  const managed = managedUserNames(sandbox);
  const unmanagedIdle = [...idle].filter((u) => !managed.has(u)).length;
  const deletedBefore = new Set(org.quickSight.deletes.keys());
  say(
    `Idle Readers. Every Reader costs $3 a month (a Reader Pro $20) whether or not they use QuickSight, and QuickSight has no "last active" API. ` +
      `CloudTrail does: the stand-in holds ${n(activity.records.length)} QuickSight events of the last 90 days. ` +
      `In them, ${n(idle.size)} of the ${n(readers.length)} Readers have not used QuickSight for more than 60 days` +
      (unmanagedIdle > 0
        ? `; ${n(unmanagedIdle)} of those belong to people outside the Google groups, whom idsync never touches, so idsync should find ${n(idle.size - unmanagedIdle)}. `
        : '. ') +
      'idsync activity sync reads the events at the 2 calls a second LookupEvents allows (50 events a page) and keeps the last time each user was active.',
  );
  const synced = await run(['activity', 'sync', '--days', '90'], env);
  if (synced.code !== 0) return { code: synced.code, idleReaders: idle.size, deleted: 0 };

  say(
    'idsync inactive --days 60 (dry run) judges every Reader: idle when the record covers the 60 days and shows no activity in them, ' +
      'and nothing shows the user was created within them (a RegisterUser event, or a snapshot listing it for the first time). ' +
      'Authors are never judged, protected users are kept, and the guard applies as to any removal. --warn-days 14 also lists who turns idle within two weeks.',
  );
  const planned = await run(['inactive', '--days', '60', '--warn-days', '14', '--limit', '3'], env);
  const found = countAfter(planned.stdout, /([\d,]+) idle,/);
  const kept = countAfter(planned.stdout, /^\s*protected \(([\d,]+)\)/m) ?? 0;
  const groupEnded = countAfter(planned.stdout, /^\s*ends_with_group \(([\d,]+)\)/m) ?? 0;
  const limit = suggestedOverride(planned.stdout);
  note(
    `exit code ${planned.code} (3 = the guard tripped: nothing deleted). ` +
      (found !== undefined
        ? `idsync found ${n(found)} idle Readers; ${n(kept)} of them ${kept === 1 ? 'is' : 'are'} protected and kept` +
          (groupEnded > 0
            ? `, and ${n(groupEnded)} ${groupEnded === 1 ? 'is an IAM Identity Center user' : 'are IAM Identity Center users'}: QuickSight refuses DeleteUser for ${groupEnded === 1 ? 'it' : 'them'}, so the plan lists "remove EMAIL from GROUP" for the operator instead (ends_with_group) and QuickSight ends the seat on the 1st of the month after`
            : '') +
          `; so ${n(found - kept - groupEnded)} would be deleted: more than the guard allows in one run.`
        : ''),
  );
  if (limit === undefined) return { code: planned.code || 1, idleReaders: idle.size, deleted: 0 };

  say(
    `The operator checks the list and applies it with the override the guard suggested, for this run only: idsync inactive --days 60 --warn-days 14 --apply --max-deletions ${limit} --report ${settings.report}. ` +
      `Each deletion also takes a slot of the guard window (${settings.maxDeletions} in ${settings.guardWindowHours} h, shared by every run and Lambda); the override lets this run go beyond it. ` +
      'Just before each call the worker checks again that the user is not protected now and still idle on a fresh activity record. The report adds the "Idle Readers" section: last active per user, who turns idle soon, the saving.',
  );
  const applied = await run(
    [
      'inactive',
      '--days',
      '60',
      '--warn-days',
      '14',
      '--apply',
      '--max-deletions',
      String(limit),
      '--report',
      settings.report,
      '--limit',
      '3',
    ],
    env,
  );
  const deleted = [...org.quickSight.deletes.keys()].filter((k) => !deletedBefore.has(k));
  // The stand-in keys N/A users by principal id; the generator lists them as N/A.
  const wrong = deleted.filter(
    (k) => !idle.has(k.startsWith(unnamedUserKey('')) ? UNNAMED_USER : k),
  ).length;
  const roleOf = new Map(readers.map((u) => [u.userName, u.role]));
  const saved = savingsByRole(
    DEFAULT_PRICES,
    deleted.map((k) => roleOf.get(k) ?? 'READER'),
  );
  note(
    `The stand-in saw ${n(deleted.length)} idle Readers deleted (${n(wrong)} not idle), about ${formatMoney(saved.monthly)} a month saved (${describeSavings(saved, formatMoney)}); ${n(readers.length - deleted.length)} of the ${n(readers.length)} Readers remain.`,
  );
  return { code: applied.code, idleReaders: idle.size, deleted: deleted.length };
}

/** QuickSight user names of people in the Google groups: the only ones idsync manages. */
function managedUserNames(sandbox: Sandbox): Set<string> {
  const names = new Set<string>();
  for (const p of sandbox.org.people)
    if (p.groups.length > 0) for (const u of p.quickSightUsers) names.add(u.userName);
  return names;
}

/** The first count a pattern captures in a command's output (`1,234` read as 1234). */
export function countAfter(text: string, pattern: RegExp): number | undefined {
  const hit = pattern.exec(text)?.[1];
  return hit === undefined ? undefined : Number(hit.replace(/,/g, ''));
}

/** The one-run override a tripped guard suggested (`--max-deletions N`), as the operator reads it. */
export function suggestedOverride(text: string): number | undefined {
  return countAfter(text, /allow them for this run only: --max-deletions ([\d,]+)/);
}
