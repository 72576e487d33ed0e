import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallOrg } from '../../../services/sandbox/scenarios/org.js';
import { runCliOn, snapshotOk, startTestSandbox, type TestSandbox } from '../../helpers/sandbox.js';

/**
 * CSVs as Excel saves them outside "CSV UTF-8": Shift_JIS (CP932) from a Japanese Windows, and
 * UTF-16 "Unicode text" (LE and BE, with a BOM). Each removes the listed users on the sandbox,
 * says which encoding it read, and normalises full-width addresses as a UTF-8 file would.
 * Fixtures are encoded here with iconv-lite.
 */

/** ASCII → full-width (U+FF01..U+FF5E), as typed with a Japanese IME. */
const fullWidth = (s: string) =>
  s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

const NAMES = [
  '山田太郎',
  '髙橋花子',
  '佐藤一郎',
  '鈴木次郎',
  '田中三郎',
  '伊藤四郎',
  '渡辺五郎',
  '中村六郎',
];

describe('remove --csv in Shift_JIS and UTF-16', { timeout: 120_000 }, () => {
  let t: TestSandbox;
  let dir: string;
  let readers: { email: string; userName: string }[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idsync-csv-enc-'));
    t = await startTestSandbox({ org: smallOrg() });
    await snapshotOk(t.sandbox);
    readers = t.sandbox.org.people
      .filter((p) => p.kind === 'reader' && !p.protected && p.quickSightUsers.length === 1)
      .slice(0, 8)
      .map((p) => ({ email: p.email, userName: p.quickSightUsers[0]?.userName as string }));
    if (readers.length < 8) throw new Error('not enough readers');
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  const present = (userName: string) => t.sandbox.org.quickSight.get(userName) !== undefined;

  it.each([
    ['cp932', 'Shift_JIS (CP932)', 0, false],
    ['utf-16le', 'UTF-16 LE', 2, true],
    ['utf-16be', 'UTF-16 BE', 4, true],
  ] as const)(
    'a %s CSV of Japanese-named staff with full-width addresses removes them (--apply)',
    async (encoding, label, from, addBOM) => {
      const listed = readers.slice(from, from + 2);
      const text = [
        '氏名,メールアドレス,email',
        ...listed.map((r, i) => `${NAMES[from + i]},本社,${fullWidth(r.email)}`),
      ].join('\r\n');
      const path = join(dir, `members-${encoding}.csv`);
      writeFileSync(path, iconv.encode(`${text}\r\n`, encoding, { addBOM }));
      for (const r of listed) expect(present(r.userName)).toBe(true);
      const result = await runCliOn(t.sandbox, ['remove', '--csv', path, '--apply']);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain(`read members-${encoding}.csv as ${label}`);
      expect(result.stdout).toContain('CSV: 2 people, 0 duplicate rows collapsed, 0 bad rows');
      for (const r of listed) expect(present(r.userName), r.email).toBe(false);
    },
  );

  it('Excel "Unicode text" (UTF-16 LE, tab-separated) removes the listed users too', async () => {
    const listed = readers.slice(6, 8);
    const text = [
      '氏名\t部署\temail',
      ...listed.map((r, i) => `${NAMES[6 + i]}\t本社\t${fullWidth(r.email)}`),
    ].join('\r\n');
    const path = join(dir, 'members.txt');
    writeFileSync(path, iconv.encode(`${text}\r\n`, 'utf-16le', { addBOM: true }));
    const result = await runCliOn(t.sandbox, ['remove', '--csv', path, '--apply']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('read members.txt as UTF-16 LE');
    for (const r of listed) expect(present(r.userName), r.email).toBe(false);
  });

  it('--json says the encoding; a file in no accepted encoding is exit 2 and deletes nothing', async () => {
    const path = join(dir, 'latin1.csv');
    // ISO-8859-1 "é" (0xE9) followed by a comma: neither UTF-8 nor a CP932 double-byte pair.
    writeFileSync(
      path,
      Buffer.from([...Buffer.from('name,email\nRen'), 0xe9, ...Buffer.from(',\n')]),
    );
    const before = t.sandbox.org.quickSight.size;
    const refused = await runCliOn(t.sandbox, ['remove', '--csv', path, '--apply']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('the CSV is neither UTF-8, UTF-16 nor Shift_JIS');
    expect(t.sandbox.org.quickSight.size).toBe(before);

    const dry = join(dir, 'dry.csv');
    writeFileSync(dry, iconv.encode(`email\r\n${fullWidth('ghost@example.com')}\r\n`, 'cp932'));
    const out = await runCliOn(t.sandbox, ['remove', '--csv', dry, '--json']);
    expect(JSON.parse(out.stdout).csv.encoding).toBe('CP932');
  });
});
