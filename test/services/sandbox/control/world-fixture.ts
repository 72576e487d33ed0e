import { CloudTrailState } from '../../../../services/sandbox/cloudtrail/cloudtrail-state.js';
import { createWorld, type World } from '../../../../services/sandbox/control/world.js';
import { smallOrg } from '../../../../services/sandbox/scenarios/org.js';
import type { OrgPerson, PersonKind } from '../../../../services/sandbox/scenarios/org-types.js';
import { mulberry32 } from '../../../../services/sandbox/scenarios/random.js';

/** The sandbox's world controls on a fresh small organisation, at a fixed time, without I/O. */
export const NOW = new Date('2026-12-07T10:00:00.500Z');

export function testWorld(): World {
  return createWorld(smallOrg(42), new CloudTrailState(), {
    now: () => NOW,
    random: mulberry32(3),
  });
}

export function personOf(world: World, kind: PersonKind, skip = 0): OrgPerson {
  const person = world.org.people.filter((p) => p.kind === kind && !p.protected)[skip];
  if (!person) throw new Error(`no ${kind} in the organisation`);
  return person;
}

/** Events in the world's CloudTrail, parsed. */
export function trail(world: World): Array<Record<string, unknown>> {
  return world.cloudTrail.list().map((e) => JSON.parse(e.json) as Record<string, unknown>);
}
