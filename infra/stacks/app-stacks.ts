import type { App, Stack } from 'aws-cdk-lib';
import type { Job } from '../constructs/idsync-function.js';
import { IdentityCenterCompanionStack } from './identity-center-companion-stack.js';
import { IdsyncStack } from './idsync-stack.js';
import { QuickSightCompanionStack } from './quicksight-companion-stack.js';
import { readSettings, SettingsError } from './settings.js';

/** `-c companion=…`: which companion stack to synthesize instead of the idsync stack. */
export const COMPANIONS = ['identity-center', 'quicksight'] as const;
export type Companion = (typeof COMPANIONS)[number];

/** The IdC companion's stack name: `<stackName>-IdentityCenter`. */
export function identityCenterCompanionName(stackName: string): string {
  return `${stackName}-IdentityCenter`;
}

/**
 * The QuickSight companion's stack name: `<stackName>-QuickSight` in the home QuickSight account,
 * `<stackName>-QuickSight-<account>` in a further one.
 */
export function quickSightCompanionName(
  stackName: string,
  account?: string,
  home?: string,
): string {
  return account === undefined || account === home
    ? `${stackName}-QuickSight`
    : `${stackName}-QuickSight-${account}`;
}

/**
 * The stacks of one `cdk synth` / `cdk deploy`, from context: the idsync stack in `account` /
 * `region`, or, with `-c companion=identity-center`, the IdC companion stack in
 * `identityCenterAccountId` / `identityCenterRegion` (infra/stacks/identity-center-companion-stack.ts),
 * or, with `-c companion=quicksight`, the QuickSight companion stack in `quickSightAccountId` /
 * `quickSightRegion` (infra/stacks/quicksight-companion-stack.ts). All read the same context, so
 * one set of `-c` values serves every deploy.
 */
export function addIdsyncStacks(app: App, entries: Partial<Record<Job, string>>): Stack {
  const read = (key: string) => app.node.tryGetContext(key) as unknown;
  const settings = readSettings(read);
  const companion = read('companion');
  if (companion === undefined || companion === null || companion === '') {
    return new IdsyncStack(app, settings.stackName, {
      env: { account: settings.account, region: settings.region },
      settings,
      entries,
    });
  }
  if (companion === 'quicksight') {
    // `-c companionAccountId=…`: the companion of a further QuickSight account (IDSYNC_QUICKSIGHT_ACCOUNTS).
    const other = read('companionAccountId');
    const account =
      other === undefined || other === null || other === ''
        ? settings.quickSightAccountId
        : String(other).trim();
    return new QuickSightCompanionStack(
      app,
      quickSightCompanionName(settings.stackName, account, settings.quickSightAccountId),
      {
        env: { account, region: settings.quickSightRegion },
        settings,
        quickSightAccountId: account,
      },
    );
  }
  if (companion !== 'identity-center') {
    throw new SettingsError(
      `context companion must be one of ${COMPANIONS.join(', ')} (got ${JSON.stringify(companion)})`,
    );
  }
  return new IdentityCenterCompanionStack(app, identityCenterCompanionName(settings.stackName), {
    env: { account: settings.identityCenterAccountId, region: settings.identityCenterRegion },
    settings,
  });
}
