/**
 * A member's configured groups, as the newest snapshot lists them (role follows group's target
 * role and the checks of `change_role` and `leave_group` tasks): one entry per group, in the
 * order listed. Pure.
 */
export function addMemberGroup(
  groups: Map<string, string[]>,
  row: { readonly email: string; readonly group: string },
): void {
  const list = groups.get(row.email);
  if (!list) groups.set(row.email, [row.group]);
  else if (!list.includes(row.group)) list.push(row.group);
}
