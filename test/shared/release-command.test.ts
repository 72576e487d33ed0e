import { describe, expect, it } from 'vitest';
import { MAX_DELETIONS_FLAG, releaseCommand } from '../../shared/release-command.js';

describe('the command that releases BLOCKED tasks', () => {
  it('is idsync apply --max-deletions N, with the count when there is one', () => {
    expect(MAX_DELETIONS_FLAG).toBe('--max-deletions');
    expect(releaseCommand()).toBe('idsync apply --max-deletions N');
    expect(releaseCommand(3)).toBe('idsync apply --max-deletions 3');
    expect(releaseCommand('1,200')).toBe('idsync apply --max-deletions 1,200');
  });
});
