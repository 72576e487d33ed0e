import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ActivityImportOptions,
  checkLastActive,
  type ImportAsOf,
  readActivityCsv,
  readAsOf,
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
const users = [
  qs(`${ROLE}/alice@example.com`, 'alice@example.com'),
  qs('alice', 'Alice@Example.com', { identityType: 'QUICKSIGHT' }),
  qs(`${ROLE}/bob@example.com`, 'bob@example.com'),
  qs('N/A', 'erin@example.com', {
    identityType: 'IAM_IDENTITY_CENTER',
    principalId: 'user/d-1/u-1',
  }),
];
const AS_OF = readAsOf('2026-11-20T00:00:00Z', NOW);
const options = (extra: Partial<ActivityImportOptions> = {}): ActivityImportOptions => ({
  asOf: AS_OF,
  nowMs: NOW,
  users,
  namespace: 'default',
  ...extra,
});

describe('readAsOf', () => {
  it('reads a time or a date (every instant the date may mean)', () => {
    expect(readAsOf('2026-11-20T09:00+01:00', NOW)).toEqual({
      text: '2026-11-20T09:00+01:00',
      earliest: Date.parse('2026-11-20T08:00:00Z'),
      latest: Date.parse('2026-11-20T08:00:00Z'),
    });
    expect(readAsOf('2026-11-20', NOW)).toMatchObject({
      earliest: Date.parse('2026-11-19T10:00:00Z'),
      latest: Date.parse('2026-11-21T11:59:59.999Z'),
    });
  });

  it.each([
    [undefined, /needs --as-of DATE/],
    ['', /needs --as-of DATE/],
    ['2026-02-30', /not a day of the calendar/],
    ['2026-11-20T10:00', /no time zone/],
    ['2014-12-31T23:59:59.999Z', /before 2015/],
    ['2014-12-31', /before 2015/],
    ['2026-11-30T12:05:00.001Z', /in the future/],
    ['2026-12-02', /in the future/],
  ])('refuses %j (exit 2)', (raw, message) => {
    expect(() => readAsOf(raw, NOW)).toThrow(UsageError);
    expect(() => readAsOf(raw, NOW)).toThrow(message);
  });

  it('accepts the boundaries: 2015-01-01, now + 5 minutes, a date that has begun somewhere', () => {
    expect(readAsOf('2015-01-01T00:00:00Z', NOW).earliest).toBe(Date.parse('2015-01-01'));
    expect(readAsOf('2015-01-01', NOW).latest).toBeGreaterThan(Date.parse('2015-01-01'));
    expect(readAsOf('2026-11-30T12:05:00Z', NOW).earliest).toBe(NOW + 5 * 60_000);
    expect(readAsOf('2026-12-01', NOW).earliest).toBe(Date.parse('2026-11-30T10:00:00Z'));
  });
});

describe('checkLastActive', () => {
  const asOf: ImportAsOf = AS_OF;

  it.each([
    ['2026-09-14T10:20:00Z', '2026-09-14T10:20:00.000Z'],
    ['2026-09-14T10:20:00+02:00', '2026-09-14T08:20:00.000Z'],
    ['２０２６-０９-１４', '2026-09-15T11:59:59.999Z'],
    // A date on the export's day reads as late as it can, but not past the export.
    ['2026-11-20', '2026-11-20T00:00:00.000Z'],
    ['2026-11-20T00:00:00Z', '2026-11-20T00:00:00.000Z'],
    ['2015-01-01T00:00:00Z', '2015-01-01T00:00:00.000Z'],
    ['2015-01-01', '2015-01-02T11:59:59.999Z'],
  ])('%s → %s', (raw, at) => {
    expect(checkLastActive(raw, asOf, NOW)).toEqual({ at });
  });

  it.each([
    ['', 'unreadable_date', /empty/],
    ['yesterday', 'unreadable_date', /not an ISO-8601/],
    ['2026-09-14T10:20:00', 'unreadable_date', /no time zone/],
    ['2026-02-30T10:00Z', 'impossible_date', /not a time of the calendar/],
    ['2026-02-30', 'impossible_date', /not a day of the calendar/],
    ['2026-13-01', 'impossible_date', /calendar/],
    ['2026-01-01T24:00Z', 'impossible_date', /calendar/],
    ['1970-01-01', 'before_2015', /before 2015/],
    ['2014-12-31T23:59:59.999Z', 'before_2015', /before 2015/],
    ['2014-12-31', 'before_2015', /before 2015/],
    ['2026-11-20T00:00:00.001Z', 'after_as_of', /after --as-of 2026-11-20T00:00:00Z/],
    ['2026-11-21', 'after_as_of', /after --as-of/],
  ])('refuses %j (%s)', (raw, why, problem) => {
    const out = checkLastActive(raw, asOf, NOW);
    expect(out).toMatchObject({ why });
    expect('problem' in out && out.problem).toMatch(problem);
  });

  it('property: a date never reads earlier than any instant of that date in any time zone', () => {
    const late = readAsOf('2026-11-30T12:00:00Z', NOW);
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2015-01-02T00:00:00Z'),
          max: new Date('2026-11-28T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -12 * 60, max: 14 * 60 }),
        (instant, offsetMin) => {
          const local = new Date(instant.getTime() + offsetMin * 60_000).toISOString().slice(0, 10);
          const out = checkLastActive(local, late, NOW);
          expect('at' in out).toBe(true);
          if ('at' in out) expect(Date.parse(out.at)).toBeGreaterThanOrEqual(instant.getTime());
        },
      ),
    );
  });
});

describe('readActivityCsv', () => {
  it('reads email rows with the tolerance of remove --csv, newest date of duplicates kept', async () => {
    const out = await readActivityCsv(
      [
        '\uFEFF Email ,Name,LAST ACTIVE',
        'ａｌｉｃｅ＠example.com,Alice,2026-09-01',
        ' alice@example.com ,Alice,2026-10-01T08:00:00Z',
        'bob@example.com,Bob,2026-09-05',
        '',
        'bad-email,X,2026-09-05',
        'bob@example.com,Bob,soon',
        'bob@example.com',
      ].join('\n'),
      options(),
    );
    expect(out.keyColumn).toBe('email');
    expect(out.rows).toBe(6);
    expect(out.duplicates).toBe(1);
    expect(out.deltas.map((d) => [d.userName, d.newest?.at, d.spans?.import])).toEqual([
      [
        `${ROLE}/alice@example.com`,
        '2026-10-01T08:00:00.000Z',
        { from: '2026-10-01T08:00:00.000Z', to: '2026-11-20T00:00:00.000Z' },
      ],
      [
        'alice',
        '2026-10-01T08:00:00.000Z',
        { from: '2026-10-01T08:00:00.000Z', to: '2026-11-20T00:00:00.000Z' },
      ],
      [
        `${ROLE}/bob@example.com`,
        '2026-09-06T11:59:59.999Z',
        { from: '2026-09-06T11:59:59.999Z', to: '2026-11-20T00:00:00.000Z' },
      ],
    ]);
    expect(out.errors.map((e) => [e.line, e.why])).toEqual([
      [6, 'bad_user'],
      [7, 'unreadable_date'],
      [8, 'unreadable_date'],
    ]);
    expect(out.errors[2]?.reason).toMatch(/last_active is empty/);
    expect(out.refused).toMatchObject({ bad_user: 1, unreadable_date: 2, unknown_user: 0 });
  });

  it('the span of an import ends at --as-of, not at the time of the import', async () => {
    const asOf = readAsOf('2026-03-01T00:00:00Z', NOW);
    const out = await readActivityCsv(
      'email,last_active\nbob@example.com,2026-01-05T00:00:00Z\n',
      options({ asOf }),
    );
    expect(out.deltas[0]?.spans?.import).toEqual({
      from: '2026-01-05T00:00:00.000Z',
      to: '2026-03-01T00:00:00.000Z',
    });
  });

  it('with a date for --as-of, the span ends where that date may begin; none when the row is that day', async () => {
    const asOf = readAsOf('2026-03-01', NOW);
    const out = await readActivityCsv(
      'email,last_active\nbob@example.com,2026-01-05\nalice@example.com,2026-03-01\n',
      options({ asOf }),
    );
    const [alice1, alice2, bob] = [...out.deltas].sort((a, b) =>
      a.userName.localeCompare(b.userName),
    );
    expect(bob?.spans?.import).toEqual({
      from: '2026-01-06T11:59:59.999Z',
      to: '2026-02-28T10:00:00.000Z',
    });
    expect(alice1?.newest?.at).toBe('2026-03-02T11:59:59.999Z');
    expect(alice1?.spans).toBeUndefined();
    expect(alice2?.spans).toBeUndefined();
  });

  it('refuses unknown users row by row: emails with no QuickSight user, user names not listed', async () => {
    const emails = await readActivityCsv(
      'email,last_active\nzed@example.com,2026-10-01\nbob@example.com,2026-10-01\n',
      options(),
    );
    expect(emails.deltas).toHaveLength(1);
    expect(emails.errors).toEqual([
      expect.objectContaining({ line: 2, why: 'unknown_user', value: 'zed@example.com' }),
    ]);
    const names = await readActivityCsv(
      `username,last_active\n${ROLE}/ALICE@example.com,2026-10-01\nghost,2026-10-01\nN/A,2026-10-01\n`,
      options(),
    );
    expect(names.keyColumn).toBe('username');
    expect(names.deltas.map((d) => d.userName)).toEqual([
      `${ROLE}/alice@example.com`,
      'N/A#user/d-1/u-1',
    ]);
    expect(names.errors.map((e) => [e.line, e.why])).toEqual([[3, 'unknown_user']]);
  });

  it('counts every refused row, keeps the first few, and hands each to onRefused in order', async () => {
    const seen: number[] = [];
    const rows = Array.from({ length: 30 }, (_, i) => `ghost${i}@example.com,2026-10-01`);
    const out = await readActivityCsv(['email,last_active', ...rows].join('\n'), {
      ...options(),
      keepErrors: 5,
      onRefused: (e) => {
        seen.push(e.line);
      },
    });
    expect(out.errorCount).toBe(30);
    expect(out.errors).toHaveLength(5);
    expect(out.refused.unknown_user).toBe(30);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 2));
  });

  it('refuses a file without the columns, naming what it found', async () => {
    await expect(readActivityCsv('email\nx@example.com\n', options())).rejects.toThrow(
      /"last_active"/,
    );
    await expect(readActivityCsv('who,last_active\nx,2026-01-01\n', options())).rejects.toThrow(
      UsageError,
    );
    await expect(readActivityCsv('', options())).rejects.toThrow(/empty/);
  });
});
