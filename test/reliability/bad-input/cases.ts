import { ARGUMENT_CASES } from './argument-cases.js';
import type { BadInputCase } from './case-types.js';
import { CSV_CASES, EVENT_CASES, KEY_CASES } from './file-cases.js';
import { IDLE_CASES } from './idle-cases.js';
import { NOTICE_CASES } from './notice-cases.js';
import { VARIABLE_CASES } from './variable-cases.js';

export type { BadInputCase, CaseGroup } from './case-types.js';

/** The whole corpus, in groups (see case-types.ts for the shape and placeholders). */
export const BAD_INPUT_CASES: readonly BadInputCase[] = [
  ...VARIABLE_CASES,
  ...KEY_CASES,
  ...ARGUMENT_CASES,
  ...CSV_CASES,
  ...EVENT_CASES,
  ...IDLE_CASES,
  ...NOTICE_CASES,
];
