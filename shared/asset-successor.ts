import { canOwnAssets } from './removal-rules.js';

/**
 * IDSYNC_ASSET_SUCCESSOR and the rules that pick who receives a departing user's assets. Pure.
 *
 * The setting is a QuickSight user name (`alice`, `QuickSightAuthor/alice@example.com`) or
 * `manager:<fallback user name>`: the person's manager from the Google Directory when the manager
 * has a QuickSight user that can own, else the fallback. A successor must be a QuickSight user,
 * hold a role that can own assets (shared/removal-rules.ts), and not be the departing user.
 */

export type AssetSuccessor =
  | { readonly kind: 'user'; readonly userName: string }
  | { readonly kind: 'manager'; readonly fallback: string };

/** A QuickSight user name as the setting takes it: no spaces, commas, semicolons or quotes. */
const USER_NAME = /^[A-Za-z0-9._%+=@/-]{1,256}$/;
const MANAGER_PREFIX = 'manager:';

export function parseAssetSuccessor(
  raw: string,
): { ok: true; value: AssetSuccessor } | { ok: false; message: string } {
  const value = raw.trim();
  const manager = value.toLowerCase().startsWith(MANAGER_PREFIX);
  const name = manager ? value.slice(MANAGER_PREFIX.length).trim() : value;
  if (!USER_NAME.test(name))
    return {
      ok: false,
      message: manager
        ? 'write manager:<fallback QuickSight user name>, e.g. manager:bi-team-lead'
        : 'a QuickSight user name (no spaces, commas, semicolons or quotes), or manager:<fallback user name>',
    };
  return {
    ok: true,
    value: manager ? { kind: 'manager', fallback: name } : { kind: 'user', userName: name },
  };
}

/** The QuickSight user names to try as successor, in order (the manager's first, if any). */
export function successorCandidates(
  setting: AssetSuccessor,
  managerUserNames: readonly string[] = [],
): string[] {
  if (setting.kind === 'user') return [setting.userName];
  return [...new Set([...managerUserNames, setting.fallback])];
}

/** A candidate successor as QuickSight describes it (undefined: no such user). */
export interface CandidateUser {
  readonly userName: string;
  readonly arn: string;
  readonly role: string;
}

/** Why a candidate cannot receive the assets, or undefined when it can. */
export function successorProblem(
  name: string,
  candidate: CandidateUser | undefined,
  departingArn: string,
): string | undefined {
  if (!candidate) return `successor ${name} is not a QuickSight user`;
  if (candidate.arn === departingArn) return `successor ${name} is the departing user`;
  if (!canOwnAssets(candidate.role))
    return `successor ${name} cannot own assets (${candidate.role.toUpperCase()})`;
  return undefined;
}

/** The deferral reason when no successor is configured. */
export function noSuccessorReason(ownedText: string): string {
  return `owns ${ownedText}; set IDSYNC_ASSET_SUCCESSOR`;
}
