import { describe, expect, it } from 'vitest';
import { activityUserName } from '../../shared/activity-record.js';
import {
  activityUserKey,
  quickSightUserKey,
  UNNAMED_USER,
  unnamedUserKey,
} from '../../shared/quicksight-user-rules.js';
import { taskIdFor } from '../../shared/task.js';

describe('the key of an unnamed (N/A) QuickSight user', () => {
  it('is N/A#<principalId>', () => {
    expect(UNNAMED_USER).toBe('N/A');
    expect(unnamedUserKey('user/d-1/u-1')).toBe('N/A#user/d-1/u-1');
  });

  it('named users keep their user name in both keys', () => {
    const user = { userName: 'reader/alice@example.com', principalId: 'p-1' };
    expect(quickSightUserKey(user)).toBe('reader/alice@example.com');
    expect(activityUserKey(user)).toBe('reader/alice@example.com');
  });

  it('an unnamed user with a principal id has the same key in tasks, the worker and the activity record', () => {
    const user = { userName: 'N/A', principalId: 'p-1' };
    expect(quickSightUserKey(user)).toBe('N/A#p-1');
    expect(activityUserKey(user)).toBe('N/A#p-1');
    expect(activityUserName(user)).toBe('N/A#p-1');
    expect(taskIdFor('ns', user)).toBe('ns#N/A#p-1');
  });

  it('without a principal id: N/A# for tasks and the worker, plain N/A in the activity record', () => {
    expect(quickSightUserKey({ userName: 'N/A' })).toBe('N/A#');
    expect(taskIdFor('ns', { userName: 'N/A' })).toBe('ns#N/A#');
    expect(activityUserKey({ userName: 'N/A' })).toBe('N/A');
    expect(activityUserName({ userName: 'N/A', principalId: '' })).toBe('N/A');
  });

  it('only the exact name N/A is unnamed', () => {
    expect(quickSightUserKey({ userName: 'n/a', principalId: 'p' })).toBe('n/a');
    expect(activityUserKey({ userName: 'N/A ', principalId: 'p' })).toBe('N/A ');
  });
});
