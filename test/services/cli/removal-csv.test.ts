import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRemovalCsv } from '../../../services/cli/removal-csv.js';
import { planRemovals } from '../../../services/removals/plan/plan-removals.js';
import { UsageError } from '../../../shared/errors.js';
import {
  AUTHOR_ROLE_NAME,
  disguise,
  emailArb,
  iamUser,
  idcUser,
  nativeUser,
  READER_ROLE_NAME,
} from '../removals/plan/builders.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/csv');
const dirty = readFileSync(join(dir, 'dirty.csv'));
const expected = JSON.parse(readFileSync(join(dir, 'dirty.expected.json'), 'utf8')) as {
  removals: { email: string; line: number }[];
  errors: { line: number; value: string; reason: string }[];
  duplicates: number;
};

describe('parseRemovalCsv on the dirty fixture', () => {
  it('starts with a BOM and has CRLF line ends (the fixture is what Excel writes)', () => {
    expect([...dirty.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(dirty.includes('\r\n')).toBe(true);
  });

  it('gives the expected removals, each person once, with the line they came from', async () => {
    const { removals, duplicates } = await parseRemovalCsv(dirty);
    expect(removals).toEqual(
      expected.removals.map((r) => ({
        email: r.email,
        source: 'csv',
        detail: `CSV line ${r.line}`,
      })),
    );
    expect(duplicates).toBe(expected.duplicates);
  });

  it('reports every bad row with its line number, value and reason', async () => {
    const { errors } = await parseRemovalCsv(dirty);
    expect(errors.map((e) => [e.line, e.value])).toEqual(
      expected.errors.map((e) => [e.line, e.value]),
    );
    errors.forEach((error, i) => {
      expect(error.reason).toContain(expected.errors[i]?.reason);
    });
  });

  it('reads the same from a string with the BOM, a string without it and a Buffer', async () => {
    const text = dirty.toString('utf8');
    const { encoding, ...fromBytes } = await parseRemovalCsv(dirty);
    expect(encoding).toBe('UTF-8 with BOM');
    expect(await parseRemovalCsv(text)).toEqual(fromBytes);
    expect(await parseRemovalCsv(text.replace(/^\uFEFF/, ''))).toEqual(fromBytes);
  });

  it('plans: Readers deleted, the Author and the protected user kept, unknown emails not_found', async () => {
    const quickSightUsers = [
      iamUser(READER_ROLE_NAME, 'alice@example.com'),
      iamUser(AUTHOR_ROLE_NAME, 'bob@example.com', 'AUTHOR'),
      iamUser(READER_ROLE_NAME, 'Carol@Example.com'),
      iamUser(AUTHOR_ROLE_NAME, 'carol@example.com', 'READER'),
      nativeUser('grace', 'grace@example.com'),
      idcUser('heidi@example.com', 'heidi@example.com', 'p-heidi'),
      idcUser('N/A', 'kate@example.com', 'p-kate'),
      iamUser(READER_ROLE_NAME, 'never-in-the-csv@example.com'),
    ];
    const plan = planRemovals({
      removals: (await parseRemovalCsv(dirty)).removals,
      quickSightUsers,
      currentMembers: new Set(),
      protectedRoles: ['ADMIN', 'AUTHOR'],
      protectedUsers: ['kate@example.com'],
      guard: { maxDeletions: 100, maxDeletionPercent: 100 },
    });
    expect(plan.decisions.map((d) => [d.email, d.decision, d.quickSightUser?.userName])).toEqual([
      ['alice@example.com', 'delete', `${READER_ROLE_NAME}/alice@example.com`],
      ['bob@example.com', 'protected', `${AUTHOR_ROLE_NAME}/bob@example.com`],
      ['carol@example.com', 'delete', `${AUTHOR_ROLE_NAME}/carol@example.com`],
      ['carol@example.com', 'delete', `${READER_ROLE_NAME}/Carol@Example.com`],
      ['grace@example.com', 'delete', 'grace'],
      // IAM_IDENTITY_CENTER: QuickSight refuses DeleteUser; the seat ends with the group.
      ['heidi@example.com', 'ends_with_group', 'heidi@example.com'],
      ['kate@example.com', 'protected', 'N/A'],
      ['nobody.never@example.com', 'not_found', undefined],
    ]);
    expect(plan.decisions.every((d) => d.source === 'csv')).toBe(true);
  });
});

describe('parseRemovalCsv rejects a file it cannot read as such a CSV', () => {
  it.each([
    ['no email column', 'name,team\nAlice,Data\n', /no "email" column; found: "name", "team"/],
    ['semicolon-separated', 'name;email\nAlice;a@x.io\n', /separated by ";"/],
    ['empty file', '', /empty/],
    ['only blank lines', '\n\n  \n', /empty/],
    ['an unclosed quote', 'email\n"alice@example.com\n', /could not be read: .*line 2/],
  ])('%s', async (_title, text, message) => {
    await expect(parseRemovalCsv(text)).rejects.toThrow(UsageError);
    await expect(parseRemovalCsv(text)).rejects.toThrow(message);
  });

  it('reads UTF-16 with a BOM; refuses bytes that are neither UTF-8, UTF-16 nor Shift_JIS', async () => {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('email\nalice@example.com\n', 'utf16le'),
    ]);
    const read = await parseRemovalCsv(utf16);
    expect(read.encoding).toBe('UTF-16 LE');
    expect(read.removals.map((r) => r.email)).toEqual(['alice@example.com']);
    await expect(parseRemovalCsv(Buffer.from([0x65, 0x6d, 0xff, 0x0a]))).rejects.toThrow(
      /neither UTF-8, UTF-16 nor Shift_JIS/,
    );
  });
});

describe('parseRemovalCsv details', () => {
  it('accepts a header with an email column in any case, anywhere, after blank lines', async () => {
    const { removals, errors } = await parseRemovalCsv(
      '\n\nid, E-Mail,EMAIL ,note\n1,x,Alice@Example.com,\n',
    );
    expect(errors).toEqual([]);
    expect(removals.map((r) => [r.email, r.detail])).toEqual([['alice@example.com', 'CSV line 4']]);
  });

  it('counts lines of a quoted field with newlines toward the rows after it', async () => {
    const text = 'note,email\n"one\ntwo\nthree",a@example.com\nx,not-an-email\n';
    const { removals, errors } = await parseRemovalCsv(text);
    expect(removals[0]?.detail).toBe('CSV line 2');
    expect(errors).toEqual([
      {
        line: 5,
        value: 'not-an-email',
        reason: 'not a valid email address (read as "not-an-email")',
      },
    ]);
  });

  it('shortens very long values in errors', async () => {
    const { errors } = await parseRemovalCsv(`email\n${'x'.repeat(5000)}\n`);
    expect(errors[0]?.value.length).toBeLessThanOrEqual(120);
  });
});

describe('parseRemovalCsv, for any list of people', () => {
  const noteArb = fc.constantFrom(
    '',
    'plain',
    'with, comma',
    'two\nlines',
    'three\r\nCRLF\nlines',
    'say ""hi""',
  );
  const rowArb = fc.record({
    email: emailArb,
    note: noteArb,
    fullWidth: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
    upper: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
  });

  it('reads every person once, from the line their row starts on', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { maxLength: 25 }),
        fc.constantFrom('\n', '\r\n'),
        async (rows, eol) => {
          let line = 2;
          const firstLine = new Map<string, number>();
          const body = rows.map((row) => {
            if (!firstLine.has(row.email)) firstLine.set(row.email, line);
            line += (row.note.match(/\r\n|\r|\n/g) ?? []).length + 1;
            return `"${row.note}",${disguise(row.email, row.fullWidth, row.upper)}`;
          });
          const { removals, errors, duplicates } = await parseRemovalCsv(
            ['note,email', ...body, ''].join(eol),
          );
          expect(errors).toEqual([]);
          expect(removals.map((r) => [r.email, r.detail])).toEqual(
            [...firstLine].map(([email, at]) => [email, `CSV line ${at}`]),
          );
          expect(duplicates).toBe(rows.length - firstLine.size);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('parseRemovalCsv reads a stream', () => {
  it('handles each row as its bytes arrive, before the rest of the file exists', async () => {
    let handed = 0;
    let resume: () => void = () => {};
    const handedFirst = new Promise<void>((resolve) => {
      resume = resolve;
    });
    async function* file(): AsyncIterable<Uint8Array> {
      // (csv-parse hands a record on once the next one begins: the bad row is not the last.)
      yield Buffer.from('email\nnot-an-email\nfirst@example.com\n');
      // The rest is written only once the bad first row was handed on: a reader that waits for
      // the whole file would wait here for ever (and the test time out).
      await handedFirst;
      for (let i = 0; i < 2_000; i++) yield Buffer.from(`person${i}@example.com\n`);
    }
    const csv = await parseRemovalCsv(file(), {
      keepErrors: 0,
      onError: () => {
        handed++;
        resume();
      },
    });
    expect(handed).toBe(1);
    expect(csv.errorCount).toBe(1);
    expect(csv.errors).toEqual([]);
    expect(csv.removals).toHaveLength(2_001);
    expect(csv.removals[2_000]?.detail).toBe('CSV line 2003');
  });

  it('keeps the first bad rows for display and counts them all', async () => {
    const rows = Array.from({ length: 250 }, (_, i) => `bad${i}`);
    const csv = await parseRemovalCsv(['email', ...rows, 'ok@example.com'].join('\n'), {
      keepErrors: 100,
    });
    expect(csv.errorCount).toBe(250);
    expect(csv.errors.map((e) => e.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 2));
    expect(csv.removals.map((r) => r.email)).toEqual(['ok@example.com']);
  });
});
