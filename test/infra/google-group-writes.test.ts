import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { defaultEntry, REPO_ROOT } from '../../infra/constructs/idsync-function.js';
import { type IdsyncStack, workerEntry } from '../../infra/stacks/idsync-stack.js';
import { googleGroupWrites } from '../../infra/stacks/settings.js';
import { LAMBDA_ENV } from '../../shared/lambda/lambda-env.js';
import { fixtureStack } from './fixture-stack.js';

/**
 * Group writes (IDSYNC_GOOGLE_GROUP_WRITE=on in the stack's `environment`) give the worker what
 * the snapshot has for the Google key: read access to the key secret, the secret's ARN, the
 * Parameters and Secrets extension layer, and the entry with the Google writer
 * (services/worker/google-handler.ts). Off (the default), the worker has none of them.
 */

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

function workerView(stack: IdsyncStack, template: Template) {
  const id = (c: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(c.node.defaultChild as never);
  const worker = stack.functions.worker;
  if (!worker) throw new Error('no worker function');
  const role = id(worker.role as never);
  const secret = id(stack.googleKey);
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
  const fn = template.findResources('AWS::Lambda::Function')[id(worker.fn as never)];
  return {
    onSecret: statements
      .filter((s) => JSON.stringify(s.Resource).includes(`"${secret}"`))
      .flatMap((s) => [s.Action].flat())
      .sort(),
    layers: JSON.stringify(fn?.Properties.Layers ?? []),
    env: (fn?.Properties.Environment?.Variables ?? {}) as Record<string, unknown>,
    secret,
  };
}

describe('group writes in the stack', () => {
  it('off (default): the worker cannot read the Google key and has no extension layer', () => {
    const { stack, template } = fixtureStack();
    const w = workerView(stack, template);
    expect(w.onSecret).toEqual([]);
    expect(w.layers).not.toContain('AWS-Parameters-and-Secrets-Lambda-Extension');
    expect(w.env[LAMBDA_ENV.googleKeySecret]).toBeUndefined();
  });

  it('on: the worker reads the key secret through the extension layer, and cdk-nag stays clean', () => {
    const { stack, template } = fixtureStack({
      environment: { IDSYNC_GOOGLE_GROUP_WRITE: 'on' },
    });
    const w = workerView(stack, template);
    expect(w.onSecret).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    expect(w.layers).toContain('AWS-Parameters-and-Secrets-Lambda-Extension');
    expect(w.env[LAMBDA_ENV.googleKeySecret]).toEqual({ Ref: w.secret });
    expect(w.env.IDSYNC_GOOGLE_GROUP_WRITE).toBe('on');
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.map(
        (v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });

  it('reads the switch from the environment setting; a bad value fails synth', () => {
    expect(googleGroupWrites({ environment: {} })).toBe(false);
    expect(googleGroupWrites({ environment: { IDSYNC_GOOGLE_GROUP_WRITE: 'off' } })).toBe(false);
    expect(googleGroupWrites({ environment: { IDSYNC_GOOGLE_GROUP_WRITE: 'on' } })).toBe(true);
    expect(() => fixtureStack({ environment: { IDSYNC_GOOGLE_GROUP_WRITE: 'yes' } })).toThrow(
      /IDSYNC_GOOGLE_GROUP_WRITE/,
    );
  });

  it('deploys the worker from the Google entry when on; keeps a given entry', () => {
    const google = join(REPO_ROOT, 'services', 'worker', 'google-handler.ts');
    expect(workerEntry(defaultEntry('worker'), true)).toBe(google);
    expect(workerEntry(defaultEntry('worker'), false)).toBe(defaultEntry('worker'));
    expect(workerEntry('/tmp/fixture.ts', true)).toBe('/tmp/fixture.ts');
    expect(workerEntry(undefined, true)).toBeUndefined();
  });
});
