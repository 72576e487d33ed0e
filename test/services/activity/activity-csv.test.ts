import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  importDeltas,
  parseActivityCsv,
  parseLastActive,
} from '../../../services/activity/activity-csv.js';
import type { QuickSightUser } from '../../../shared/domain.js';
import { UsageError } from '../../../shared/errors.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const ROLE = 'AWSReservedSSO_QuickSightReader_0123456789abcdef';
const qs = (
  userName: string,
  email?: string,
  extra: Partial<QuickSightUser> = {},
): QuickSightUser => ({
  userName,
  ...(email ? { email } : {}),
  role: 'READER',
  identityType: 'IAM',
  arn: `arn:aws:quicksight:us-east-1:123456789012:user/default/${userName}`,
  ...extra,
});

describe('parseLastActive', () => {
  it.each([
    ['2026-09-14T10:20:00Z', '2026-09-14T10:20:00.000Z'],
    ['2026-09-14T10:20:00+02:00', '2026-09-14T08:20:00.000Z'],
    ['2026-09-14t10:20z', '2026-09-14T10:20:00.000Z'],
    ['２０２６-０９-１４', '2026-09-15T11:59:59.999Z'],
    [' 2026-11-30 ', '2026-11-30T12:00:00.000Z'],
  ])('%s → %s', (raw, at) => {
    expect(parseLastActive(raw, NOW)).toEqual({ at });
  });

  it.each([
    ['', /empty/],
    ['2026-09-14T10:20:00', /no time zone/],
    ['2026-02-30', /not a date/],
    ['14/09/2026', /not an ISO-8601/],
    ['2026-12-01', /after the import/],
    ['2026-12-01T00:00:00Z', /after the import/],
  ])('refuses %j', (raw, problem) => {
    const out = parseLastActive(raw, NOW);
    expect('problem' in out && out.problem).toMatch(problem);
  });

  it('property: a date never reads earlier than any instant of that date in any time zone', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2026-11-28T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -12 * 60, max: 14 * 60 }),
        (instant, offsetMin) => {
          const local = new Date(instant.getTime() + offsetMin * 60_000).toISOString().slice(0, 10);
          const out = parseLastActive(local, NOW);
          expect('at' in out).toBe(true);
          if ('at' in out) expect(Date.parse(out.at)).toBeGreaterThanOrEqual(instant.getTime());
        },
      ),
    );
  });
});

describe('parseActivityCsv', () => {
  it('reads email rows with the tolerance of remove --csv, newest date of duplicates kept', () => {
    const csv = parseActivityCsv(
      [
        '\uFEFF Email ,Name,LAST ACTIVE',
        'ａｌｉｃｅ＠example.com,Alice,2026-09-01',
        ' alice@example.com ,Alice,2026-10-01T08:00:00Z',
        'bob@example.com,Bob,2026-09-05',
        '',
        'bad-email,X,2026-09-05',
        'carol@example.com,Carol,soon',
        'dave@example.com',
      ].join('\n'),
      NOW,
    );
    expect(csv.keyColumn).toBe('email');
    expect(csv.duplicates).toBe(1);
    expect(csv.rows).toEqual([
      { line: 3, email: 'alice@example.com', lastActive: '2026-10-01T08:00:00.000Z' },
      { line: 4, email: 'bob@example.com', lastActive: '2026-09-06T11:59:59.999Z' },
    ]);
    expect(csv.errors.map((e) => e.line)).toEqual([6, 7, 8]);
    expect(csv.errors[2]?.reason).toMatch(/last_active is empty/);
  });

  it('reads user-name rows', () => {
    const csv = parseActivityCsv(
      `username,last_active\n${ROLE}/Alice@Example.com,2026-09-01\n`,
      NOW,
    );
    expect(csv.keyColumn).toBe('username');
    expect(csv.rows[0]?.userName).toBe(`${ROLE}/Alice@Example.com`);
  });

  it('refuses a file without the columns, naming what it found', () => {
    expect(() => parseActivityCsv('email\nx@example.com\n', NOW)).toThrow(/"last_active"/);
    expect(() => parseActivityCsv('who,last_active\nx,2026-01-01\n', NOW)).toThrow(UsageError);
    expect(() => parseActivityCsv('', NOW)).toThrow(/empty/);
  });
});

describe('importDeltas', () => {
  const users = [
    qs(`${ROLE}/alice@example.com`, 'alice@example.com'),
    qs('alice', 'Alice@Example.com', { identityType: 'QUICKSIGHT' }),
    qs('N/A', 'erin@example.com', {
      identityType: 'IAM_IDENTITY_CENTER',
      principalId: 'user/d-1/u-1',
    }),
  ];
  const at = '2026-11-30T12:00:00.000Z';

  it('gives every QuickSight user of an email the evidence, spans to the import', () => {
    const csv = parseActivityCsv(
      'email,last_active\nalice@example.com,2026-10-01T00:00:00Z\nerin@example.com,2026-10-02T00:00:00Z\nzed@example.com,2026-10-01\n',
      NOW,
    );
    const out = importDeltas(csv, users, 'default', at);
    expect(out.deltas.map((d) => d.userName).sort()).toEqual(
      [`${ROLE}/alice@example.com`, 'N/A#user/d-1/u-1', 'alice'].sort(),
    );
    expect(out.deltas[0]).toMatchObject({
      newest: { at: '2026-10-01T00:00:00.000Z', eventName: 'LastActive', source: 'import' },
      spans: { import: { from: '2026-10-01T00:00:00.000Z', to: at } },
    });
    expect(out.errors).toEqual([
      expect.objectContaining({ line: 4, reason: expect.stringMatching(/no QuickSight user/) }),
    ]);
  });

  it('without a COMPLETE snapshot, email rows are bad lines; user-name rows still import', () => {
    const emails = parseActivityCsv('email,last_active\nalice@example.com,2026-10-01\n', NOW);
    expect(importDeltas(emails, undefined, 'default', at).errors[0]?.reason).toMatch(
      /run idsync snapshot/,
    );
    const names = parseActivityCsv(
      `username,last_active\n${ROLE}/ALICE@example.com,2026-10-01\n`,
      NOW,
    );
    const out = importDeltas(names, users, 'default', at);
    expect(out.deltas[0]?.userName).toBe(`${ROLE}/alice@example.com`);
  });
});
