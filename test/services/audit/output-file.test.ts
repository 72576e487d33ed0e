import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outputWriteError, prepareOutputFile } from '../../../services/audit/output-file.js';
import { OutputFileError } from '../../../shared/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'idsync-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('prepareOutputFile', () => {
  it('creates the missing folders and returns the absolute path', async () => {
    const path = await prepareOutputFile(join(dir, 'a', 'b', 'r.html'), 'report');
    expect(path).toBe(join(dir, 'a', 'b', 'r.html'));
    expect(statSync(join(dir, 'a', 'b')).isDirectory()).toBe(true);
  });

  it.each([
    ['a folder', () => dir, /it is a folder/],
    ['a device', () => '/dev/null', /it is a device/],
    ['a /proc file that looks regular', () => '/proc/self/comm', /on procfs/],
    ['a new file under /proc', () => '/proc/self/new/r.html', /on procfs/],
    ['a new file under /sys', () => '/sys/kernel/r.html', /on sysfs/],
    [
      'a path below a file',
      () => {
        writeFileSync(join(dir, 'file'), 'x');
        return join(dir, 'file', 'r.html');
      },
      /cannot create its folder \(E(NOTDIR|EXIST)\)/,
    ],
    ['nothing', () => ' ', /no file named/],
  ])('refuses %s with one line (exit 4)', async (_label, target, problem) => {
    const error = await prepareOutputFile(target(), 'export').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputFileError);
    expect((error as OutputFileError).exitCode).toBe(4);
    expect((error as Error).message).toMatch(problem);
    expect((error as Error).message).not.toContain('\n');
  });

  it('names the system code of a failed write', () => {
    const eacces = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    expect(outputWriteError('/x/r.html', 'report', eacces).message).toBe(
      'cannot write the report to /x/r.html (EACCES)',
    );
  });
});
