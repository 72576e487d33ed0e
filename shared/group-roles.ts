import { isValidEmail, normalizeEmail } from './email.js';

/**
 * Role follows group (IDSYNC_GROUP_ROLES: `authors@example.com=AUTHOR,readers@example.com=READER`),
 * written once: the plan decides with it (services/removals/plan/role-changes.ts) and the worker
 * checks it again before each `change_role` call (services/removals/worker/delete-checks.ts). Pure.
 *
 * A person's target role is the broadest role of the mapped groups they are in, as QuickSight
 * itself gives an IAM Identity Center user in several role-mapped groups "the role that offers
 * the broadest level of access". Breadth, narrowest first:
 *
 *   READER < READER_PRO < AUTHOR < AUTHOR_PRO < ADMIN < ADMIN_PRO
 *
 * (a Pro role is its plain role plus the generative features; an Author can do all a Reader Pro
 * can view and more; an Admin is an Author who also manages the account). The restricted roles
 * are not available to assign and are not mapped. A person in no mapped group has no target role:
 * their role is left as it is (a leaver is handled by the leaver rules).
 */

/** The roles a group may grant, narrowest first: the order "broadest" is taken in. */
export const GROUP_ROLES = [
  'READER',
  'READER_PRO',
  'AUTHOR',
  'AUTHOR_PRO',
  'ADMIN',
  'ADMIN_PRO',
] as const;
export type GroupRole = (typeof GROUP_ROLES)[number];

/** Normalised group email → the role its members get. */
export type GroupRoleMap = ReadonlyMap<string, GroupRole>;

export type GroupRolesParse =
  | { readonly ok: true; readonly map: GroupRoleMap }
  | { readonly ok: false; readonly message: string };

/**
 * `GROUP=ROLE` entries, comma-separated: group emails normalised (case-folded), roles any case
 * from GROUP_ROLES; each group once.
 */
export function parseGroupRoles(text: string): GroupRolesParse {
  const entries = text.split(',').map((e) => e.trim());
  if (entries.every((e) => e === ''))
    return fail('is empty: expected GROUP=ROLE entries, e.g. authors@example.com=AUTHOR');
  const map = new Map<string, GroupRole>();
  for (const entry of entries) {
    if (entry === '') return fail('has an empty entry (two commas in a row, or one at an end)');
    const eq = entry.lastIndexOf('=');
    if (eq < 0) return fail(`entry ${shown(entry)} is not GROUP=ROLE`);
    const group = normalizeEmail(entry.slice(0, eq).trim());
    const role = entry
      .slice(eq + 1)
      .trim()
      .toUpperCase();
    if (!isValidEmail(group)) return fail(`group ${shown(group)} is not an email address`);
    if (!isGroupRole(role))
      return fail(`role ${shown(role)} of ${group} is not one of ${GROUP_ROLES.join(', ')}`);
    if (map.has(group)) return fail(`group ${group} is mapped twice`);
    map.set(group, role);
  }
  return { ok: true, map };
}

export function isGroupRole(role: string): role is GroupRole {
  return (GROUP_ROLES as readonly string[]).includes(role);
}

/** The breadth of a role (index in GROUP_ROLES), or undefined for a role outside the order. */
export function roleBreadth(role: string): number | undefined {
  const i = (GROUP_ROLES as readonly string[]).indexOf(role.trim().toUpperCase());
  return i < 0 ? undefined : i;
}

/**
 * The broadest role of the mapped groups among `groups` (any case), with the groups that grant
 * it; undefined when none of them is mapped.
 */
export function targetRoleOf(
  groups: Iterable<string>,
  map: GroupRoleMap,
): { readonly role: GroupRole; readonly groups: readonly string[] } | undefined {
  let best: GroupRole | undefined;
  let from: string[] = [];
  for (const g of groups) {
    const group = normalizeEmail(g);
    const role = map.get(group);
    if (role === undefined) continue;
    const breadth = GROUP_ROLES.indexOf(role);
    if (best === undefined || breadth > GROUP_ROLES.indexOf(best)) {
      best = role;
      from = [group];
    } else if (role === best && !from.includes(group)) from.push(group);
  }
  return best === undefined ? undefined : { role: best, groups: from.sort() };
}

/**
 * `upgrade` when `to` is broader than `from`, `downgrade` when narrower, undefined when equal or
 * when `from` is outside the order (a restricted or unknown role: never changed).
 */
export function roleChangeKind(from: string, to: GroupRole): 'upgrade' | 'downgrade' | undefined {
  const a = roleBreadth(from);
  if (a === undefined) return undefined;
  const b = GROUP_ROLES.indexOf(to);
  return b > a ? 'upgrade' : b < a ? 'downgrade' : undefined;
}

function shown(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

function fail(message: string): GroupRolesParse {
  return { ok: false, message };
}
