import { newRunId } from '../run-id.js';

/**
 * The name of the sessions idsync opens when it assumes a role (AssumeRole's `RoleSessionName`):
 * `idsync-<command>-<run id>`, so CloudTrail in the role's account shows which idsync command
 * and which run made each call. STS takes 2 to 64 characters of `[\w+=,.@-]`: other characters
 * become `-`, and the command part is cut so the run id always fits whole.
 *
 * The entry point (a CLI command, a Lambda handler) names its run once with
 * `nameRoleSessions`; every client built afterwards that assumes a role reads the name when it
 * first asks STS for credentials, and again at each refresh.
 */

export const ROLE_SESSION_NAME_MAX = 64;
/** The longest run id kept whole; the command part always has 16 characters or more. */
const RUN_ID_MAX = 40;

/** `idsync-<command>-<runId>`, within STS's 2–64 characters of `[\w+=,.@-]`. */
export function roleSessionName(command: string, runId: string): string {
  const run = allowed(runId).slice(0, RUN_ID_MAX) || 'run';
  const room = ROLE_SESSION_NAME_MAX - 'idsync--'.length - run.length;
  const what = allowed(command).slice(0, room) || 'run';
  return `idsync-${what}-${run}`;
}

/** Runs of characters STS refuses in a session name become one `-`, none at either end. */
function allowed(text: string): string {
  return text.replace(/[^\w+=,.@-]+/g, '-').replace(/^-+|-+$/g, '');
}

let current: string = roleSessionName('run', newRunId());

/** Names the sessions of this run (call once at a command's or handler's start). */
export function nameRoleSessions(command: string, runId: string = newRunId()): string {
  current = roleSessionName(command, runId);
  return current;
}

/** The session name of the run in progress. */
export function currentRoleSessionName(): string {
  return current;
}
