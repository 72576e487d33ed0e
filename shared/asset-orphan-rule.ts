import { type AssetPermission, type AssetType, isOwnerEntry } from './asset-owner-actions.js';

/**
 * When an asset must be handed over before a user's deletion or downgrade: the user is one of
 * its owners and no other owner is a living QuickSight principal that can own. QuickSight's
 * DeleteUser runs no asset clean-up, so a deleted user's ARN can stay in an asset's permissions;
 * a sole-owner search then still counts it, and an asset whose owners all leave would end with
 * no living owner. Groups count as living owners. Pure.
 */

/** The owners of an asset other than `departing` (principal ARNs, in the permissions' order). */
export function otherOwners(
  type: AssetType,
  permissions: readonly AssetPermission[],
  departing: string,
): string[] {
  return permissions
    .filter((p) => p.principal !== departing && isOwnerEntry(type, p.actions))
    .map((p) => p.principal);
}

/**
 * Whether the asset must be handed over before `departing` goes: `departing` owns it and none of
 * its other owners is in `livingOwners` (the principals known to exist and able to own).
 */
export function mustHandOverAsset(
  type: AssetType,
  permissions: readonly AssetPermission[],
  departing: string,
  livingOwners: ReadonlySet<string>,
): boolean {
  const owns = permissions.some((p) => p.principal === departing && isOwnerEntry(type, p.actions));
  if (!owns) return false;
  return !otherOwners(type, permissions, departing).some((p) => livingOwners.has(p));
}

/**
 * The namespace and user name in a QuickSight user ARN
 * (`arn:aws:quicksight:<region>:<account>:user/<namespace>/<name>`), or undefined for any other
 * principal (a group, an IAM ARN): only users are looked up.
 */
export function quickSightUserOf(
  principal: string,
): { readonly namespace: string; readonly userName: string } | undefined {
  const m = /^arn:aws[\w-]*:quicksight:[^:]*:\d{12}:user\/([^/]+)\/(.+)$/.exec(principal);
  return m?.[1] && m[2] ? { namespace: m[1], userName: m[2] } : undefined;
}
