import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IdsyncStack } from '../../infra/stacks/idsync-stack.js';
import { REASONS } from '../../infra/stacks/nag-acknowledgments.js';
import { fixtureStack } from './fixture-stack.js';

/** Every `Validations.of(x).acknowledge()` entry in the tree: rule id → reason, per construct. */
function acknowledgments(root: IConstruct): Array<{ path: string; id: string; reason: unknown }> {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, unknown>).map(([id, reason]) => ({
          path: c.node.path,
          id,
          reason:
            typeof reason === 'object' && reason !== null
              ? (reason as { reason?: unknown }).reason
              : reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions checks', () => {
  let stack: IdsyncStack;

  beforeAll(() => {
    ({ stack } = fixtureStack({ noticeFrom: 'idsync@example.com' }));
  });

  it('reports no unacknowledged finding, error or warning', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const findings = report.violations.map(
      (v) =>
        `${v.severity} ${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('gives every acknowledgment a reason, on a specific construct, never stack-wide', () => {
    const acks = acknowledgments(stack);
    expect(acks.length).toBeGreaterThan(5);
    const known = new Set<unknown>(Object.values(REASONS));
    for (const ack of acks) {
      expect(ack.id).toMatch(/AwsSolutions-/);
      expect(typeof ack.reason).toBe('string');
      expect(known.has(ack.reason)).toBe(true);
      expect((ack.reason as string).length).toBeGreaterThan(60);
      expect(ack.path).not.toBe(stack.node.path);
    }
    // Wildcard findings are acknowledged one resource at a time.
    for (const ack of acks.filter((a) => a.id.includes('IAM5'))) {
      expect(ack.id).toMatch(/^(Annotation::)?AwsSolutions-IAM5\[Resource::.+\]$/);
    }
  });

  it('still catches a finding nobody acknowledged', () => {
    const { stack: other } = fixtureStack({ stackName: 'Other' });
    // Drop the acknowledgment of the secret's rotation finding: it must come back.
    const secret = other.googleKey.node;
    const entry = secret.metadata.find(
      (m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
    );
    if (!entry) throw new Error('the secret carries no acknowledgment');
    const data = entry.data as Record<string, unknown>;
    for (const k of Object.keys(data)) delete data[k];
    const report = new AwsSolutionsChecks().validateScope(other);
    expect(report.violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-SMG4']);
  });
});
