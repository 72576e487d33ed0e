import { describe, expect, it } from 'vitest';
import { addMemberGroup } from '../../shared/removal-rules.js';

describe('addMemberGroup', () => {
  it('keeps each group once per member, in the order listed', () => {
    const groups = new Map<string, string[]>();
    for (const [email, group] of [
      ['a@x.com', 'readers@x.com'],
      ['a@x.com', 'authors@x.com'],
      ['a@x.com', 'readers@x.com'],
      ['b@x.com', 'readers@x.com'],
    ] as const)
      addMemberGroup(groups, { email, group });
    expect([...groups]).toEqual([
      ['a@x.com', ['readers@x.com', 'authors@x.com']],
      ['b@x.com', ['readers@x.com']],
    ]);
  });
});
