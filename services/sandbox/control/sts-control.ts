import type { AssumeRoleRecord, StsState } from '../sts/sts-state.js';
import { WorldControlError } from './world.js';

/**
 * The control endpoint's view of the STS stand-in: who assumed which role (every AssumeRole, with
 * its session name, external id, signing key and time, refused ones too), how many calls each
 * role's session made to the service stand-ins, and the `sessionSeconds` knob (sessions shorter
 * than STS's 900-second minimum, to rehearse a run that outlasts its role session).
 */

export interface StsControlState {
  readonly sessionSeconds: number | null;
  readonly assumed: readonly AssumeRoleRecord[];
  /** Calls the service stand-ins checked, by the role that signed them (`unrecognized`: none). */
  readonly callsByRole: Readonly<Record<string, { calls: number; refused: number }>>;
}

/** Applies a `{"sessionSeconds": N | null}` body when given, then returns the state. */
export function stsControl(sts: StsState, body?: unknown): StsControlState {
  if (body !== undefined) {
    const seconds = (body as { sessionSeconds?: unknown }).sessionSeconds;
    const valid =
      seconds === null ||
      (typeof seconds === 'number' &&
        Number.isInteger(seconds) &&
        seconds > 0 &&
        seconds <= 43_200);
    if (!valid) throw new WorldControlError('expected {"sessionSeconds": 1 to 43200, or null}');
    sts.sessionSeconds = seconds === null ? undefined : (seconds as number);
  }
  const callsByRole: Record<string, { calls: number; refused: number }> = {};
  for (const call of sts.calls) {
    const key = call.roleArn ?? 'unrecognized';
    callsByRole[key] ??= { calls: 0, refused: 0 };
    const entry = callsByRole[key];
    entry.calls++;
    if (call.refused) entry.refused++;
  }
  return { sessionSeconds: sts.sessionSeconds ?? null, assumed: sts.assumed, callsByRole };
}
