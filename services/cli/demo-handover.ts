import { OWNER_ACTIONS, ownedCountsText } from '../../shared/asset-owner-actions.js';
import type { QuickSightUser } from '../../shared/domain.js';
import type { Sandbox } from '../sandbox/start-sandbox.js';
import { removeFromGroups } from '../sandbox/sync-simulator.js';
import type { DemoRun } from './demo-idle.js';
import { emptyGuardWindow } from './demo-review.js';

/**
 * The demo's asset handover chapter (services/cli/demo.ts): QuickSight's DeleteUser runs no asset
 * clean-up, so an Author's dashboards would be left with no owner. Two Authors who own a few
 * assets alone leave their groups. Without IDSYNC_ASSET_SUCCESSOR both are deferred and listed
 * under "Needs attention" with what their seats cost; with it, the worker grants the successor
 * each asset, checks it, audits it, and only then deletes the Author. The stand-in shows who
 * owns what afterwards, and that nothing is orphaned.
 */

export interface HandoverChapterResult {
  readonly code: number;
  /** The two leaving Authors' user names, the successor's. */
  readonly authors: readonly string[];
  readonly successor?: string;
  /** "Needs attention" lines of the run without a successor that name the leaving Authors. */
  readonly deferredLines: readonly string[];
  /** Assets the leaving Authors owned alone, and how many the successor owns after the run. */
  readonly assets: number;
  readonly successorOwns: number;
  /** Assets with no owner at the stand-in after the chapter. */
  readonly orphaned: number;
}

/** What each leaving Author owns alone (type, name). */
const PORTFOLIOS = [
  [
    ['dashboard', 'Sales overview'],
    ['dashboard', 'Churn by region'],
    ['analysis', 'Q4 pipeline'],
    ['dataset', 'Orders'],
  ],
  [
    ['dashboard', 'Support tickets'],
    ['dataset', 'Tickets'],
  ],
] as const;

export async function handoverChapter(
  sandbox: Sandbox,
  env: Record<string, string>,
  run: DemoRun,
  say: (text: string) => void,
  note: (text: string) => void,
  report?: string,
): Promise<HandoverChapterResult> {
  const { org } = sandbox;
  const qs = org.quickSight;
  const inGroups = new Set(
    org.groups.flatMap((g) => org.google.listMembers(g, true).map((m) => m.email.toLowerCase())),
  );
  const authorOf = (p: (typeof org.people)[number]) =>
    p.quickSightUsers
      .map((u) => qs.get(u.userName))
      .find((u) => u?.role === 'AUTHOR' && u.identityType === 'IAM');
  const leaving = org.people
    .filter((p) => !p.protected && authorOf(p) && inGroups.has(p.email.toLowerCase()))
    .slice(0, PORTFOLIOS.length);
  const authors = leaving.map(authorOf);
  const successor = qs
    .list()
    .find((u) => u.role === 'ADMIN' && u.email && inGroups.has(u.email.toLowerCase()));
  const none = { authors: [], deferredLines: [], assets: 0, successorOwns: 0, orphaned: 0 };
  if (authors.length < PORTFOLIOS.length || authors.some((a) => !a) || !successor)
    return { code: 1, ...none };
  const users = authors as QuickSightUser[];
  users.forEach((user, i) => {
    for (const [j, [type, name]] of (PORTFOLIOS[i] ?? []).entries())
      qs.assets.add(type, `handover-${i}-${j}`, name, [
        { principal: user.arn, actions: OWNER_ACTIONS[type] },
      ]);
  });
  const owned = users.flatMap((u) => qs.assets.soleOwned(u.arn));
  const names = users.map((u) => u.userName);
  say(
    `Asset handover. QuickSight's DeleteUser runs no asset clean-up: what a user owned alone stays in the account with no owner. ` +
      `Two Authors leave their groups: ${leaving.map((p, i) => `${p.email} (owns ${ownedCountsText(qs.assets.soleOwned(users[i]?.arn ?? ''))})`).join(' and ')}. ` +
      'Authors are not protected (IDSYNC_PROTECTED_ROLES=ADMIN,ADMIN_PRO), but no successor is set yet (IDSYNC_ASSET_SUCCESSOR): both are deferred, never deleted, and listed under "Needs attention" with what their seats cost a month.',
  );
  removeFromGroups(
    org,
    leaving.map((p) => p.email),
  );
  await emptyGuardWindow(env);
  const base = Object.fromEntries(
    Object.entries(env).filter(([k]) => k !== 'IDSYNC_ASSET_SUCCESSOR'),
  );
  if ((await run(['snapshot'], base, true)).code !== 0) return { code: 1, ...none };
  const first = await run(['reconcile', '--apply', '--limit', '3'], base);
  if (first.code !== 0) return { code: first.code, ...none };
  const deferredLines = first.stdout
    .split('\n')
    .filter((l) => /\/month\)/.test(l) && names.some((u) => l.includes(u)))
    .map((l) => l.trim());
  note(
    `The stand-in: ${names.map((u) => `${u} ${qs.get(u) ? 'still there' : 'deleted'}`).join(', ')}; ${qs.assets.orphaned().length} assets without an owner.`,
  );

  say(
    `The operator names a successor: IDSYNC_ASSET_SUCCESSOR=${successor.userName} (an Admin; "manager:<fallback>" would use each person's manager from the Google Directory). ` +
      'Before each DeleteUser the worker finds what the Author owns alone (Search* with DIRECT_QUICKSIGHT_SOLE_OWNER), grants the successor the owner permissions of each asset (Update*Permissions), checks them (Describe*Permissions), and audits each asset before and after its grant.',
  );
  await emptyGuardWindow(env);
  const withSuccessor = { ...base, IDSYNC_ASSET_SUCCESSOR: successor.userName };
  const second = await run(
    ['reconcile', '--apply', '--limit', '3', ...(report ? ['--report', report] : [])],
    withSuccessor,
  );
  const successorOwns = owned.filter((a) =>
    qs.assets.permissionsOf(a.type, a.id).some((p) => p.principal === successor.arn),
  ).length;
  const orphaned = qs.assets.orphaned().length;
  note(
    `The stand-in: ${names.map((u) => `${u} ${qs.get(u) ? 'still there' : `deleted (${qs.deletes.get(u) ?? 0} DeleteUser)`}`).join(', ')}; ` +
      `${successor.userName} owns ${successorOwns} of the ${owned.length} assets; ${orphaned} assets without an owner.` +
      (report ? ` The run's report lists each asset under "Handed over": ${report}.` : ''),
  );
  return {
    code: second.code,
    authors: names,
    successor: successor.userName,
    deferredLines,
    assets: owned.length,
    successorOwns,
    orphaned,
  };
}
