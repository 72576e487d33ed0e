import type { Template } from 'aws-cdk-lib/assertions';

/** A function ARN put in place of each CloudFormation reference in the definition. */
export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:idsync-review';

/**
 * The review state machine's own definition, as the stack emits it: its DefinitionString
 * (an Fn::Join of strings and references) joined, each reference (the review function's ARN)
 * replaced by FUNCTION_ARN.
 */
// biome-ignore lint/suspicious/noExplicitAny: the ASL document is free-form JSON.
export function reviewDefinition(template: Template): any {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  if (machines.length !== 1) throw new Error(`expected one state machine, got ${machines.length}`);
  const body = machines[0]?.Properties.DefinitionString;
  const parts: unknown[] =
    typeof body === 'string' ? [body] : (body['Fn::Join'] as [string, unknown[]])[1];
  const text = parts.map((p) => (typeof p === 'string' ? p : FUNCTION_ARN)).join('');
  return JSON.parse(text);
}
