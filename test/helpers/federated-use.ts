import { quickSightEvent } from '../../services/sandbox/cloudtrail/quicksight-events.js';
import type { QuickSightUser } from '../../shared/domain.js';
import type { TestSandbox } from './sandbox.js';

/**
 * Adds to the sandbox's CloudTrail a `GetDashboard` by an IAM-federated QuickSight user
 * (`<role>/<session>`) at `at` (whole seconds, as CloudTrail records them): someone using
 * QuickSight, for tests of what the idle verdict does with it.
 */
export function addFederatedUse(
  t: TestSandbox,
  user: Pick<QuickSightUser, 'userName'>,
  at: number,
) {
  const { org } = t.sandbox;
  const slash = user.userName.lastIndexOf('/');
  if (slash < 0) throw new Error(`not a federated user name: ${user.userName}`);
  t.sandbox.cloudTrailState.add([
    quickSightEvent({
      accountId: org.accountId,
      region: org.region,
      time: new Date(Math.floor(at / 1000) * 1000),
      eventName: 'GetDashboard',
      actor: {
        kind: 'federated',
        roleName: user.userName.slice(0, slash),
        session: user.userName.slice(slash + 1),
      },
    }),
  ]);
}
