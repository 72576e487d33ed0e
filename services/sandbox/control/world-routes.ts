import { runFirstOfMonth } from '../identity-center-seats.js';
import { joinGroup, leaveGroups, moveBetweenGroups } from './membership-controls.js';
import { addActivity, registerNewUser } from './quicksight-controls.js';
import { runSync } from './sync-control.js';
import { type World, WorldControlError } from './world.js';

/**
 * The world controls behind the control endpoint: `POST <url>/world/<name>` with a JSON body
 * of the control's request fields; the answer is the control's result (with its `summary`
 * lines), or 400 `{error}` for a request the real services would refuse (WorldControlError).
 */
export const WORLD_CONTROLS = {
  leave: (world: World, body: Record<string, unknown>) => leaveGroups(world, body),
  join: (world: World, body: Record<string, unknown>) => joinGroup(world, body),
  move: (world: World, body: Record<string, unknown>) => moveBetweenGroups(world, body),
  sync: (world: World) => runSync(world),
  activity: (world: World, body: Record<string, unknown>) => addActivity(world, body),
  'new-user': (world: World, body: Record<string, unknown>) => registerNewUser(world, body),
  'first-of-month': (world: World) => firstOfMonth(world),
  assets: (world: World, body: Record<string, unknown>) => assetsView(world, body),
} as const;

/**
 * The account's assets as a test checks them: `{ searchLag?: N }` sets how many Search* calls a
 * permission change waits before search sees it; the answer lists the assets with no owner left.
 */
function assetsView(world: World, body: Record<string, unknown>) {
  const assets = world.org.quickSight.assets;
  if (body.searchLag !== undefined) {
    const lag = body.searchLag;
    if (typeof lag !== 'number' || !Number.isInteger(lag) || lag < 0 || lag > 1000)
      throw new WorldControlError('searchLag must be a whole number from 0 to 1000');
    assets.searchLag = lag;
  }
  const orphaned = assets.orphaned().map((a) => ({ type: a.type, id: a.id, name: a.name }));
  return {
    searchLag: assets.searchLag,
    orphaned,
    summary: [
      `assets: ${orphaned.length} without an owner; search lags ${assets.searchLag} call${assets.searchLag === 1 ? '' : 's'}`,
    ],
  };
}

/** QuickSight's monthly pass: every inactive IAM_IDENTITY_CENTER user is removed (no API call). */
function firstOfMonth(world: World) {
  const removed = runFirstOfMonth(world.org).map((u) => ({ userName: u.userName, email: u.email }));
  return {
    removed,
    summary: [
      `first of the month: QuickSight removed ${removed.length} inactive IAM_IDENTITY_CENTER user${removed.length === 1 ? '' : 's'}`,
    ],
  };
}

export type WorldControlName = keyof typeof WORLD_CONTROLS;

export function isWorldControl(name: string): name is WorldControlName {
  return Object.hasOwn(WORLD_CONTROLS, name);
}
