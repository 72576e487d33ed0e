import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { findEntries } from '../stacks/entries.js';
import { IdsyncStack } from '../stacks/idsync-stack.js';
import { readSettings } from '../stacks/settings.js';

/**
 * The CDK app: `npx cdk synth` (cdk.json runs this file with tsx). Settings come from context
 * (cdk.json defaults, `-c key=value` overrides; see infra/stacks/settings.ts). A job whose
 * `services/<job>/handler.ts` does not exist yet is left out, with a note. cdk-nag's AwsSolutions
 * pack validates the app: an unacknowledged finding fails the synth.
 */
const app = new App();
const settings = readSettings((key) => app.node.tryGetContext(key));
const { entries, missing } = findEntries();
for (const job of missing) {
  process.stderr.write(
    `idsync: services/${job}/handler.ts does not exist yet; the ${job} function is left out of this synth\n`,
  );
}
new IdsyncStack(app, settings.stackName, {
  env: { account: settings.account, region: settings.region },
  settings,
  entries,
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
