import type { FaultSettings } from '../http/faults.js';

/**
 * The words of `idsync sandbox fault`: `qs.errorRate=0.5`, `idc.latencyMs=2000`, `google=off`,
 * `qs.bucketRate=10` … Pure: parses assignments and applies them to fault settings. The control
 * endpoint parses the same words, so the CLI and a test (or curl) say the same thing. CloudTrail
 * is regional: `ct.errorRate=1` changes the sandbox's home region, `ct@eu-west-1.errorRate=1`
 * another region (each region has its own knobs, as it has its own LookupEvents limit).
 */

export const FAULT_TARGETS = [
  'quicksight',
  'identitystore',
  'google',
  'cloudtrail',
  'ses',
] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];

const TARGET_ALIASES: Readonly<Record<string, FaultTarget>> = {
  qs: 'quicksight',
  quicksight: 'quicksight',
  idc: 'identitystore',
  identitystore: 'identitystore',
  google: 'google',
  ct: 'cloudtrail',
  cloudtrail: 'cloudtrail',
  ses: 'ses',
};

/** Settable knobs and their bounds; a value of `off` clears the knob. */
const KNOBS = {
  throttleRate: { min: 0, max: 1, whole: false },
  errorRate: { min: 0, max: 1, whole: false },
  resetRate: { min: 0, max: 1, whole: false },
  latencyMs: { min: 0, max: 600_000, whole: true },
  failPage: { min: 1, max: 100_000, whole: true },
  failPageTimes: { min: 1, max: 1_000_000, whole: true },
  bucketRate: { min: 0.01, max: 100_000, whole: false },
  bucketBurst: { min: 1, max: 100_000, whole: true },
} as const;
export type FaultKnob = keyof typeof KNOBS;
export const FAULT_KNOBS = Object.keys(KNOBS) as FaultKnob[];

export type FaultAssignment = (
  | { readonly target: FaultTarget; readonly knob: FaultKnob; readonly value: number | undefined }
  | { readonly target: FaultTarget; readonly knob: 'all'; readonly value: undefined }
) & {
  /** The CloudTrail region (`ct@eu-west-1…`); the home region when absent. */
  readonly region?: string;
};

export class FaultAssignmentError extends Error {
  override readonly name = 'FaultAssignmentError';
}

const DECIMAL = /^\d{1,9}(\.\d{1,9})?$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Parses one `target.knob=value` (or `target=off`). */
export function parseFaultAssignment(word: string): FaultAssignment {
  const m = /^([a-z]+)(?:@([a-z0-9-]+))?(?:\.([a-zA-Z]+))?=(.*)$/.exec(word.trim());
  const usage = `use TARGET.KNOB=VALUE (targets qs, idc, google, ct or ct@REGION, ses; knobs ${FAULT_KNOBS.join(', ')}) or TARGET=off`;
  if (!m) throw new FaultAssignmentError(`${JSON.stringify(word)}: ${usage}`);
  const target = TARGET_ALIASES[m[1] as string];
  if (!target) throw new FaultAssignmentError(`${JSON.stringify(word)}: unknown target; ${usage}`);
  const region = m[2];
  if (region !== undefined && (target !== 'cloudtrail' || !REGION.test(region)))
    throw new FaultAssignmentError(
      `${JSON.stringify(word)}: only ct takes a region, an AWS region such as eu-west-1; ${usage}`,
    );
  const where = region === undefined ? {} : { region };
  const raw = (m[4] as string).trim();
  if (m[3] === undefined) {
    if (raw !== 'off') throw new FaultAssignmentError(`${JSON.stringify(word)}: ${usage}`);
    return { target, knob: 'all', value: undefined, ...where };
  }
  const knob = m[3] as FaultKnob;
  const bounds = KNOBS[knob];
  if (!bounds) throw new FaultAssignmentError(`${JSON.stringify(word)}: unknown knob; ${usage}`);
  if (raw === 'off') return { target, knob, value: undefined, ...where };
  const value = Number(raw);
  const ok =
    DECIMAL.test(raw) &&
    value >= bounds.min &&
    value <= bounds.max &&
    (!bounds.whole || Number.isInteger(value));
  if (!ok)
    throw new FaultAssignmentError(
      `${JSON.stringify(word)}: ${knob} must be a ${bounds.whole ? 'whole' : 'decimal'} number from ${bounds.min} to ${bounds.max}, or off`,
    );
  return { target, knob, value, ...where };
}

/** The settings after one assignment (the others keep their values). */
export function applyFaultAssignment(
  settings: FaultSettings,
  assignment: FaultAssignment,
): FaultSettings {
  if (assignment.knob === 'all') return {};
  const next: { -readonly [K in keyof FaultSettings]: FaultSettings[K] } = { ...settings };
  const v = assignment.value;
  switch (assignment.knob) {
    case 'throttleRate':
    case 'errorRate':
    case 'resetRate':
    case 'latencyMs':
      if (v === undefined) delete next[assignment.knob];
      else next[assignment.knob] = v;
      return next;
    case 'failPage':
      if (v === undefined) delete next.failPage;
      else
        next.failPage = {
          page: v,
          ...(settings.failPage?.times ? { times: settings.failPage.times } : {}),
        };
      return next;
    case 'failPageTimes':
      if (!settings.failPage) throw new FaultAssignmentError('set failPage before failPageTimes');
      next.failPage = { page: settings.failPage.page, ...(v === undefined ? {} : { times: v }) };
      return next;
    case 'bucketRate':
    case 'bucketBurst': {
      if (v === undefined) {
        delete next.bucket;
        return next;
      }
      const bucket = settings.bucket ?? { rate: v, burst: Math.max(1, Math.ceil(v)) };
      next.bucket =
        assignment.knob === 'bucketRate' ? { ...bucket, rate: v } : { ...bucket, burst: v };
      return next;
    }
  }
}
