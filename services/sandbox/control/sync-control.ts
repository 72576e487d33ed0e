import type { EventBridgeEnvelope } from '../cloudtrail-events.js';
import { syncIdentityCenter } from '../sync-simulator.js';
import { listOf, type World } from './world.js';

/**
 * `idsync sandbox sync`: the SCIM sync (Google's auto-provisioning, or ssosync) runs now on the
 * running sandbox, through services/sandbox/sync-simulator.ts: IdC users it provisioned for
 * people now in no configured group are deleted, users are created for new members (IdC users
 * made by hand are left alone). As in AWS, each call is a CloudTrail management event at the
 * moment it was made: the records are added to the CloudTrail stand-in (LookupEvents lists them,
 * as it lists every management event; `activity sync` asks only for QuickSight's), and they come
 * back as the EventBridge envelopes the rule on `aws.identitystore-scim` would deliver to the
 * events function, for `idsync handle-event FILE` to take in its place.
 */

export interface SyncControlResult {
  readonly deleted: { readonly userId: string; readonly userName: string }[];
  readonly created: { readonly userId: string; readonly userName: string }[];
  /** DeleteUser then CreateUser events, in call order, as EventBridge delivers them. */
  readonly events: EventBridgeEnvelope[];
  readonly summary: string[];
}

/** Users named in the summary line; `--json` lists all. */
const NAMED = 5;

export function runSync(world: World): SyncControlResult {
  const result = syncIdentityCenter(world.org, { now: world.now(), random: world.random });
  world.cloudTrail.add(result.events.map((e) => e.detail));
  const brief = (u: { userId: string; userName: string }) => ({
    userId: u.userId,
    userName: u.userName,
  });
  const deleted = result.deleted.map(brief);
  const created = result.created.map(brief);
  const names = (users: readonly { userName: string }[]) => {
    if (users.length === 0) return '';
    const shown = users.slice(0, NAMED).map((u) => u.userName);
    const more = users.length - shown.length;
    return ` (${more > 0 ? `${shown.join(', ')} and ${more} more` : listOf(shown)})`;
  };
  return {
    deleted,
    created,
    events: result.events,
    summary: [
      `sync: ${deleted.length} IdC user${deleted.length === 1 ? '' : 's'} deleted${names(deleted)}, ${created.length} created${names(created)}`,
    ],
  };
}
