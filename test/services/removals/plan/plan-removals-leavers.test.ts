import { describe, expect, it } from 'vitest';
import { findLeavers } from '../../../../services/removals/plan/plan-removals.js';
import type { LedgerEntry } from '../../../../shared/domain.js';
import { iamUser, nativeUser, READER_ROLE_NAME } from './builders.js';

function ledgerEntry(email: string, groups = ['readers@example.com']): LedgerEntry {
  return {
    email,
    googleId: `g-${email}`,
    groups,
    firstSeenAsMember: '2025-01-01T00:00:00.000Z',
    lastSeenAsMember: '2025-06-01T00:00:00.000Z',
    lastSeenRunId: 'run-1',
  };
}

const ledger = ['alice@example.com', 'bob@example.com', 'carol@example.com'].map((e) =>
  ledgerEntry(e),
);

describe('findLeavers', () => {
  it('finds ledger people in no configured group of the newest snapshot', () => {
    const leavers = findLeavers({
      ledger,
      currentMembers: new Set(['bob@example.com', 'zoe@example.com']),
      quickSightUsers: [],
    });
    expect(leavers.map((l) => l.email)).toEqual(['alice@example.com', 'carol@example.com']);
    expect(leavers[0]).toMatchObject({
      source: 'group_removal',
      since: '2025-06-01T00:00:00.000Z',
      detail: expect.stringContaining('readers@example.com'),
    });
  });

  it('is level-triggered: the same state gives the same leavers, run after run', () => {
    const input = { ledger, currentMembers: new Set(['bob@example.com']), quickSightUsers: [] };
    expect(findLeavers(input)).toEqual(findLeavers(input));
    expect(findLeavers({ ...input, ledger: [...ledger].reverse() })).toEqual(findLeavers(input));
  });

  it('never names people the ledger never saw, whatever QuickSight holds', () => {
    const leavers = findLeavers({
      ledger,
      currentMembers: new Set(ledger.map((l) => l.email)),
      quickSightUsers: [iamUser(READER_ROLE_NAME, 'stranger@example.com')],
    });
    expect(leavers).toEqual([]);
  });

  it('normalises ledger emails and lists each person once', () => {
    const leavers = findLeavers({
      ledger: [
        ledgerEntry('Alice@Example.com'),
        ledgerEntry('alice@example.com', ['b@example.com']),
      ],
      currentMembers: new Set(),
      quickSightUsers: [],
    });
    expect(leavers.map((l) => l.email)).toEqual(['alice@example.com']);
  });

  it('under the managed prefix, counts prefixed users of non-members as leavers', () => {
    const quickSightUsers = [
      iamUser(READER_ROLE_NAME, 'old-leaver@example.com'),
      iamUser(READER_ROLE_NAME, 'bob@example.com'),
      iamUser(READER_ROLE_NAME, 'alice@example.com'),
      nativeUser('unprefixed@example.com', 'unprefixed@example.com'),
    ];
    const leavers = findLeavers({
      ledger,
      currentMembers: new Set(['bob@example.com']),
      quickSightUsers,
      managedUsernamePrefix: 'AWSReservedSSO_QuickSightReader_',
    });
    expect(leavers.map((l) => [l.email, l.userNamePrefix])).toEqual([
      ['alice@example.com', undefined],
      ['carol@example.com', undefined],
      ['old-leaver@example.com', 'AWSReservedSSO_QuickSightReader_'],
    ]);
    expect(leavers[2]?.detail).toContain('managed by username prefix');
  });
});
