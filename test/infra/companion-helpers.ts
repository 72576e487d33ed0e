import { App, Validations } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { addIdsyncStacks } from '../../infra/stacks/app-stacks.js';
import { ALL_FIXTURES } from './fixture-stack.js';

/** Helpers of the companion stacks' tests (test/infra/*-companion-stack.test.ts). */

/** `cdk synth` of the app with `context`, cdk-nag validating as infra/bin/app.ts does. */
export function synthApp(context: Record<string, unknown>) {
  // CDK's built-in template validation costs seconds per synth (test/infra/fixture-stack.ts).
  const app = new App({
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  const stack = addIdsyncStacks(app, ALL_FIXTURES);
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
