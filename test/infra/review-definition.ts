import type { Template } from 'aws-cdk-lib/assertions';

/** A function ARN put in place of each CloudFormation reference in the definition. */
export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:idsync-review';

/** A reference's value: the partition, the region, or the review function's ARN. */
function resolve(part: unknown): string {
  if (typeof part === 'string') return part;
  const ref = (part as { Ref?: string }).Ref;
  if (ref === 'AWS::Partition') return 'aws';
  if (ref === 'AWS::Region') return 'us-east-1';
  if (ref === 'AWS::AccountId') return '123456789012';
  const att = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (att?.[1] === 'Arn') return FUNCTION_ARN;
  throw new Error(`unexpected reference in the definition: ${JSON.stringify(part)}`);
}

/**
 * The review state machine's own definition, as the stack emits it: its DefinitionString
 * (an Fn::Join of strings and references) joined, each reference resolved (the review
 * function's ARN is FUNCTION_ARN).
 */
// biome-ignore lint/suspicious/noExplicitAny: the ASL document is free-form JSON.
export function reviewDefinition(template: Template): any {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  if (machines.length !== 1) throw new Error(`expected one state machine, got ${machines.length}`);
  const body = machines[0]?.Properties.DefinitionString;
  const parts: unknown[] =
    typeof body === 'string' ? [body] : (body['Fn::Join'] as [string, unknown[]])[1];
  const text = parts.map(resolve).join('');
  return JSON.parse(text);
}
