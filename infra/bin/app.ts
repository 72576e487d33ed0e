import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addIdsyncStacks } from '../stacks/app-stacks.js';
import { findEntries } from '../stacks/entries.js';

/**
 * The CDK app: `npx cdk synth` (cdk.json runs this file with tsx). Settings come from context
 * (cdk.json defaults, `-c key=value` overrides; see infra/stacks/settings.ts); `-c
 * companion=identity-center` synthesizes the IdC companion stack instead of the idsync stack
 * (infra/stacks/app-stacks.ts). A job whose `services/<job>/handler.ts` does not exist yet is left
 * out, with a note. cdk-nag's AwsSolutions pack validates the app: an unacknowledged finding fails
 * the synth.
 */
const app = new App();
const { entries, missing } = findEntries();
for (const job of missing) {
  process.stderr.write(
    `idsync: services/${job}/handler.ts does not exist yet; the ${job} function is left out of this synth\n`,
  );
}
addIdsyncStacks(app, entries);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
