import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig, VARIABLES } from '../../../shared/config/index.js';
import type { Section } from '../../../shared/config/variables.js';
import { defaultValueText } from '../../../shared/config/variables.js';

const SECTIONS: Section[] = [
  'core',
  'aws',
  'google',
  'identityStore',
  'quicksight',
  'worker',
  'plan',
  'snapshot',
  'report',
  'inactive',
  'activity',
  'lambda',
];
const REQUIRED = {
  IDSYNC_GOOGLE_GROUPS: 'readers@example.com',
  IDSYNC_GOOGLE_CREDENTIALS: '/keys/sa.json',
  IDSYNC_GOOGLE_SUBJECT: 'admin@example.com',
  IDSYNC_IDENTITY_STORE_ID: 'd-1234567890',
  IDSYNC_QUICKSIGHT_ACCOUNT_ID: '123456789012',
};
const WITH_DEFAULT = VARIABLES.flatMap((v) => {
  const text = defaultValueText(v);
  return text === undefined ? [] : [{ name: v.name, text, spec: v }];
});

describe('config defaults come only from shared/config/variables.ts', () => {
  it('finds the literal defaults, not the ones naming another variable or saying more', () => {
    const names = WITH_DEFAULT.map((d) => d.name);
    expect(names).toEqual(
      expect.arrayContaining(['IDSYNC_MAX_DELETIONS', 'IDSYNC_PROTECTED_ROLES', 'IDSYNC_APPLY']),
    );
    expect(names).not.toContain('IDSYNC_IDC_ACCOUNT_ID'); // `IDSYNC_QUICKSIGHT_ACCOUNT_ID`
    expect(names).not.toContain('IDSYNC_LOG_LEVEL'); // `warn` on a terminal, else `info`
    expect(names).not.toContain('IDSYNC_PROTECTED_USERS'); // —
  });

  it('every literal default is a valid value of its variable', () => {
    for (const d of WITH_DEFAULT)
      expect(d.spec.schema.safeParse(d.text).success, `${d.name}=${d.text}`).toBe(true);
  });

  it.each(WITH_DEFAULT)('an unset $name loads as its table default $text', ({ name, text }) => {
    const unset = loadConfig(SECTIONS, REQUIRED);
    const given = loadConfig(SECTIONS, { ...REQUIRED, [name]: text });
    expect(unset).toEqual(given);
  });

  it('load-config.ts falls back to no value of its own', () => {
    // Only "none" (an empty list or text for an unset optional variable) and the documented
    // terminal-dependent log level may follow `??`; every other default is the table's.
    const source = readFileSync(
      new URL('../../../shared/config/load-config.ts', import.meta.url),
      'utf8',
    );
    const fallbacks = [...source.matchAll(/read<[^>]+>\('\w+'\)\s*\?\?\s*([^\s),;]+)/g)].map(
      (m) => m[1],
    );
    const ownValues = fallbacks.filter(
      (f) =>
        f !== undefined &&
        /^(-?\d|'[^']|\[(?!read)[^\]]|true|false|DEFAULT_)/.test(f) &&
        !/^DEFAULT_(TERMINAL_)?LOG_LEVEL$/.test(f),
    );
    expect(fallbacks.length).toBeGreaterThan(0);
    expect(ownValues).toEqual([]);
  });
});
