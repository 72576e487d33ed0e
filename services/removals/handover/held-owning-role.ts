import { activityKey, activityUserName } from '../../../shared/activity-record.js';
import type { DynamoActivityStore } from '../../../shared/dynamo/activity-store.js';
import { scopeKeyOf } from '../../../shared/quicksight-scopes.js';
import { mayStillOwnAssets } from '../../../shared/removal-rules.js';
import type { Task } from '../../../shared/task.js';

/**
 * The worker's `heldOwningRole` (../worker/worker-ports.ts) from the activity record: a deletion
 * of a user whose role cannot own, whose record shows an authoring event, hands its assets over
 * too (shared/removal-rules.ts, `mayStillOwnAssets`). Only such deletions read the record,
 * under the task's scope key (`Task.scope`; absent: `namespace`, the home key).
 */
export function heldOwningRoleByRecord(
  activity: Pick<DynamoActivityStore, 'get'>,
  namespace: string,
): (task: Task) => Promise<boolean> {
  return async (task) => {
    if (!mayStillOwnAssets(task, { authored: true })) return false;
    const record = await activity.get(
      activityKey(scopeKeyOf(task, namespace), activityUserName(task)),
    );
    return mayStillOwnAssets(task, record);
  };
}
