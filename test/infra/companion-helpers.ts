import { App, type Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { addIdsyncStacks } from '../../infra/stacks/app-stacks.js';
import { type IdsyncSettings, settingsFrom } from '../../infra/stacks/settings.js';
import { ALL_FIXTURES } from './fixture-stack.js';

/** Helpers of the infra tests that build the app's stacks (companion stacks, README deploy commands). */

/** The idsync stack's account and bus in the layouts these tests synthesize. */
export const STACK = '111111111111';
export const BUS = `arn:aws:events:eu-west-1:${STACK}:event-bus/Idsync-events`;

/** One resource of a template (`Template.findResources`). */
export type Resource = ReturnType<Template['findResources']>[string];

/**
 * The stack the app selects for `context` (infra/stacks/app-stacks.ts), Lambda bundling skipped;
 * not synthesized.
 */
export function appStack(context: Record<string, unknown>) {
  // CDK's built-in template validation costs seconds per synth (test/infra/fixture-stack.ts).
  const app = new App({
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  return addIdsyncStacks(app, ALL_FIXTURES);
}

/**
 * A companion stack built on its own from `context` (`make` constructs it in the app with the
 * settings), with its template.
 */
export function companionOf<S extends Stack>(
  context: Record<string, unknown>,
  make: (app: App, settings: IdsyncSettings) => S,
) {
  const stack = make(new App({ builtinCloudFormationValidation: false }), settingsFrom(context));
  return { stack, template: Template.fromStack(stack) };
}

/** The names given to IAM roles in `template`, sorted (roles without a name left out). */
export function namedRoles(template: Template): string[] {
  return Object.values(template.findResources('AWS::IAM::Role'))
    .map((r) => r.Properties.RoleName)
    .filter((n) => n !== undefined)
    .sort();
}

/** `cdk synth` of the app with `context`, cdk-nag validating as infra/bin/app.ts does. */
export function synthApp(context: Record<string, unknown>) {
  const stack = appStack(context);
  const app = stack.node.root as App;
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stack, assembly: app.synth() };
}

/** Removes the cdk-nag acknowledgements recorded on `construct`. */
export function dropAcknowledgements(construct: IConstruct): void {
  for (const m of construct.node.metadata) {
    if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
    const data = m.data as Record<string, unknown>;
    for (const k of Object.keys(data)) delete data[k];
  }
}

/** The statements of the inline policies attached to the role with logical id `roleId`. */
export function statementsOf(template: Template, roleId: string) {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}
