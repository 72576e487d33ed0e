import type { Sandbox } from '../sandbox/start-sandbox.js';
import { countAfter, type DemoRun } from './demo-idle.js';

/**
 * The demo's roles chapter (services/cli/demo.ts): role follows group (a Reader moved to the
 * authors group becomes an Author through `reconcile --apply` with IDSYNC_GROUP_ROLES), and idle
 * Authors become Readers (`inactive --downgrade-authors --apply`: Authors who wrote nothing in
 * 60 days, priced). Everything runs through the real commands, as an operator would type them.
 */

export interface RolesChapterResult {
  readonly code: number;
  /** The moved person's QuickSight user, and its role after the reconcile. */
  readonly moved?: { readonly userName: string; readonly role?: string };
  /** Upgrades the reconcile planned. */
  readonly upgrades?: number;
  /** Users the stand-in saw changed to a Reader role by the downgrade run. */
  readonly downgraded: number;
}

const n = (v: number) => v.toLocaleString('en-US');

export async function rolesChapter(
  sandbox: Sandbox,
  env: Record<string, string>,
  run: DemoRun,
  say: (text: string) => void,
  note: (text: string) => void,
): Promise<RolesChapterResult> {
  const { org } = sandbox;
  const qs = org.quickSight;
  const { readers, authors } = org.groupEmails;
  const person = org.people.find(
    (p) =>
      p.kind === 'reader' &&
      !p.protected &&
      p.quickSightUsers.length === 1 &&
      p.quickSightUsers[0]?.identityType === 'IAM' &&
      qs.get(p.quickSightUsers[0].userName)?.role === 'READER' &&
      org.google.directMembers(readers).some((m) => m.email === p.email),
  );
  const member = person && org.google.directMembers(readers).find((m) => m.email === person.email);
  if (!person || !member) return { code: 1, downgraded: 0 };
  const userName = person.quickSightUsers[0]?.userName as string;
  org.google.removeMember(readers, person.email);
  org.google.addMember(authors, member);
  const roleEnv = { ...env, IDSYNC_GROUP_ROLES: `${authors}=AUTHOR` };
  const dryRoles = await run(['reconcile'], roleEnv, true);
  const upgrades = countAfter(dryRoles.stdout, /^\s*upgrade \(([\d,]+)\)/m) ?? 0;
  say(
    `Role follows group. IDSYNC_GROUP_ROLES=${authors}=AUTHOR maps the authors group to the AUTHOR role, as QuickSight itself does for IAM Identity Center groups (the broadest role of a person's groups wins). ` +
      `${person.email} moves from the readers group to the authors group. The dry run finds ${n(upgrades)} Readers in the authors group (${person.email} and those in both groups), and Admins there stay Admins (protected). ` +
      `Each upgrade counts in the guard like a deletion (its window is spent today, so this run allows ${n(upgrades)}), and the worker sends one UpdateUser each, keeping the user's email.`,
  );
  const reconciled = await run(
    ['reconcile', '--apply', '--max-deletions', String(Math.max(upgrades, 1)), '--limit', '3'],
    roleEnv,
  );
  const moved = { userName, role: qs.get(userName)?.role };
  note(
    `The stand-in now lists ${userName} as ${moved.role ?? 'missing'} (${qs.updates.get(userName) ?? 0} UpdateUser).`,
  );
  if (reconciled.code !== 0) return { code: reconciled.code, moved, upgrades, downgraded: 0 };

  const authorsBefore = new Map(
    qs
      .list()
      .filter((u) => u.role === 'AUTHOR' || u.role === 'AUTHOR_PRO')
      .map((u) => [u.userName, u.role]),
  );
  const downEnv = { ...env, IDSYNC_PROTECTED_ROLES: 'ADMIN,ADMIN_PRO' };
  const dry = await run(['inactive', '--days', '60', '--downgrade-authors'], downEnv, true);
  const planned = countAfter(dry.stdout, /^\s*downgrade \(([\d,]+)\)/m) ?? 0;
  say(
    `Idle Authors become Readers. An Author costs $24 a month, a Reader $3. The activity record keeps each user's newest authoring event (an asset write: UpdateAnalysis, CreateDashboard, …) next to their newest activity; ` +
      `inactive --downgrade-authors judges Authors by it: ${n(planned)} Authors wrote nothing in 60 days (some still view dashboards every week). Each becomes a Reader, never deleted ` +
      `(IDSYNC_PROTECTED_ROLES=ADMIN,ADMIN_PRO here: Authors are not protected from a downgrade).`,
  );
  const applied = await run(
    [
      'inactive',
      '--days',
      '60',
      '--downgrade-authors',
      '--apply',
      '--max-deletions',
      String(Math.max(planned, 1)),
      '--limit',
      '3',
    ],
    downEnv,
  );
  const downgraded = [...authorsBefore.keys()].filter((u) =>
    ['READER', 'READER_PRO'].includes(qs.get(u)?.role ?? ''),
  ).length;
  const saving = /downgrades: .* = (\$[\d,.]+) a month saved/.exec(applied.stdout)?.[1];
  note(
    `The stand-in saw ${n(downgraded)} Authors changed to Readers and none deleted` +
      (saving ? `, ${saving} a month saved.` : '.'),
  );
  return { code: applied.code, moved, upgrades, downgraded };
}
