import { joinGroup, leaveGroups, moveBetweenGroups } from './membership-controls.js';
import { addActivity, registerNewUser } from './quicksight-controls.js';
import { runSync } from './sync-control.js';
import type { World } from './world.js';

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
} as const;

export type WorldControlName = keyof typeof WORLD_CONTROLS;

export function isWorldControl(name: string): name is WorldControlName {
  return Object.hasOwn(WORLD_CONTROLS, name);
}
