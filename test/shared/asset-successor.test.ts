import { describe, expect, it } from 'vitest';
import {
  noSuccessorReason,
  parseAssetSuccessor,
  successorCandidates,
  successorProblem,
} from '../../shared/asset-successor.js';

describe('IDSYNC_ASSET_SUCCESSOR', () => {
  it('reads a user name or manager:<fallback>, refuses the rest', () => {
    expect(parseAssetSuccessor(' bi-lead ')).toEqual({
      ok: true,
      value: { kind: 'user', userName: 'bi-lead' },
    });
    expect(parseAssetSuccessor('QuickSightAuthor/ann@example.com')).toMatchObject({
      ok: true,
      value: { kind: 'user', userName: 'QuickSightAuthor/ann@example.com' },
    });
    expect(parseAssetSuccessor('Manager:bi-lead')).toEqual({
      ok: true,
      value: { kind: 'manager', fallback: 'bi-lead' },
    });
    for (const bad of ['', 'manager:', 'two names', 'a,b', 'a;b', '"a"', 'x'.repeat(257)])
      expect(parseAssetSuccessor(bad).ok, bad).toBe(false);
  });

  it("tries the manager's users first, then the fallback, each once", () => {
    expect(successorCandidates({ kind: 'user', userName: 'a' }, ['m'])).toEqual(['a']);
    expect(successorCandidates({ kind: 'manager', fallback: 'f' })).toEqual(['f']);
    expect(successorCandidates({ kind: 'manager', fallback: 'f' }, ['m1', 'f'])).toEqual([
      'm1',
      'f',
    ]);
  });

  it('takes only an existing user, not the departing one, with a role that can own', () => {
    const arn = 'arn:aws:quicksight:us-east-1:1:user/default/x';
    expect(successorProblem('x', undefined, 'other')).toBe('successor x is not a QuickSight user');
    expect(successorProblem('x', { userName: 'x', arn, role: 'READER' }, 'other')).toBe(
      'successor x cannot own assets (READER)',
    );
    expect(successorProblem('x', { userName: 'x', arn, role: 'AUTHOR' }, arn)).toBe(
      'successor x is the departing user',
    );
    for (const role of ['AUTHOR', 'ADMIN', 'AUTHOR_PRO', 'admin_pro'])
      expect(successorProblem('x', { userName: 'x', arn, role }, 'other'), role).toBeUndefined();
    expect(noSuccessorReason('3 dashboards, 2 datasets')).toBe(
      'owns 3 dashboards, 2 datasets; set IDSYNC_ASSET_SUCCESSOR',
    );
  });
});
