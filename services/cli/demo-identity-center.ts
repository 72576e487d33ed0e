import type { QuickSightUser } from '../../shared/domain.js';
import { GROUP_IDENTITY_TYPE } from '../../shared/quicksight-user-rules.js';
import { runFirstOfMonth } from '../sandbox/identity-center-seats.js';
import type { Sandbox } from '../sandbox/start-sandbox.js';
import { removeFromGroups, syncIdentityCenter } from '../sandbox/sync-simulator.js';
import type { DemoRun } from './demo-idle.js';
import { emptyGuardWindow } from './demo-review.js';

/**
 * The demo's IAM Identity Center chapter (services/cli/demo.ts): QuickSight refuses user writes
 * for IdC-native users. An idle one still in the group is taken out of the Google group with
 * IDSYNC_GOOGLE_GROUP_WRITE=on (`leave_group`), the SCIM sync carries that to IdC and QuickSight
 * lists the user inactive; `idsync restore` puts the person back before the 1st, and the sync
 * gives the seat back. A leaver's seat ends with the group: the plan says when (no API call), and
 * QuickSight's pass on the 1st removes it (with every other inactive IdC-native user's).
 */

export interface IdentityCenterChapterResult {
  readonly code: number;
  /** Group removals idsync made (members.delete). */
  readonly leftGroup: number;
  /** IdC-native seats QuickSight's pass on the 1st removed. */
  readonly seatsEnded: number;
  /** The person put back with idsync restore, when the chapter got that far. */
  readonly restored?: string;
}

export async function identityCenterChapter(
  sandbox: Sandbox,
  env: Record<string, string>,
  run: DemoRun,
  say: (text: string) => void,
  note: (text: string) => void,
): Promise<IdentityCenterChapterResult> {
  const { org } = sandbox;
  const none = { leftGroup: 0, seatsEnded: 0 };
  const inConfiguredGroup = (email: string) =>
    org.groups.some((g) => org.google.listMembers(g, true).some((m) => m.email === email));
  const idcUsers = () =>
    org.quickSight
      .list()
      .filter(
        (u): u is QuickSightUser & { email: string } =>
          u.identityType === GROUP_IDENTITY_TYPE && u.active !== false && u.email !== undefined,
      );
  say(
    'IAM Identity Center users. QuickSight refuses DeleteUser for users of identity type IAM_IDENTITY_CENTER ("Operation is disabled for identities managed by IAM Identity Center"): their seat follows the IdC group. ' +
      'An idle IdC-native Reader still in the group is only listed for the operator ("remove EMAIL from GROUP") unless IDSYNC_GOOGLE_GROUP_WRITE=on: then idsync takes the person out of the Google group itself (Directory API members.delete, scope admin.directory.group.member), guarded, audited and judged again just before the call, like a deletion. ' +
      '(The guard window forgets today’s deletions first, as in the review.)',
  );
  await emptyGuardWindow(env);
  const groupEnv = { ...env, IDSYNC_GOOGLE_GROUP_WRITE: 'on' };
  const before = new Set(idcUsers().map((u) => u.arn));
  const idle = await run(['inactive', '--apply', '--limit', '3'], groupEnv);
  if (idle.code !== 0) return { code: idle.code, ...none };
  const leftGroup = Number(/([\d,]+) taken out of a Google group/.exec(idle.stdout)?.[1] ?? '0');
  syncIdentityCenter(org);
  const turned = org.quickSight
    .list()
    .filter((u) => before.has(u.arn) && u.active === false && u.email !== undefined);
  const person = turned[0]?.email;
  note(
    `The SCIM sync ran: ${turned.length} IdC-native user${turned.length === 1 ? '' : 's'} now inactive in QuickSight${person ? ` (${person})` : ''}; the QuickSight stand-in saw no DeleteUser or UpdateUser for them.`,
  );
  if (!person) return { code: 0, leftGroup, seatsEnded: 0 };

  say(
    `${person} needs QuickSight after all: idsync restore ${person} lists the groups idsync took them out of (dry run), --apply adds them back (members.insert); the sync gives the seat back before the 1st.`,
  );
  const dry = await run(['restore', person], groupEnv);
  const restored = await run(['restore', person, '--apply'], groupEnv);
  if (dry.code !== 0 || restored.code !== 0) return { code: restored.code || dry.code, ...none };
  syncIdentityCenter(org);
  const leaver = idcUsers().find(
    (u) => u.role === 'READER' && u.email !== person && inConfiguredGroup(u.email),
  );
  if (!leaver) return { code: 0, leftGroup, seatsEnded: 0, restored: person };
  say(
    `A leaver: ${leaver.email} leaves the Google groups; the SCIM sync carries it to IdC and QuickSight lists the user as inactive. The plan makes no call for it: the seat ends with the group, on the 1st of next month.`,
  );
  removeFromGroups(org, [leaver.email]);
  if ((await run(['snapshot'], env, true)).code !== 0) return { code: 1, ...none };
  const planned = await run(['plan', '--json'], env, true);
  const decision = (
    JSON.parse(planned.stdout).plan.decisions as Array<{
      email: string;
      decision: string;
      reason: string;
    }>
  ).find((d) => d.email === leaver.email);
  note(`plan: ${leaver.email}: ${decision?.decision ?? '?'}: ${decision?.reason ?? ''}`);

  const ended = runFirstOfMonth(org);
  say(
    `The 1st of the month: QuickSight removes the ${ended.length} inactive IdC-native user${ended.length === 1 ? '' : 's'} itself (${ended.map((u) => u.email ?? u.userName).join(', ')}); ${person} is active again and keeps the seat.`,
  );
  return { code: 0, leftGroup, seatsEnded: ended.length, restored: person };
}
