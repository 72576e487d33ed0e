import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quickSightOperatorRoleArn } from '../../infra/stacks/quicksight-layout.js';
import { settingsFrom } from '../../infra/stacks/settings.js';
import { synthApp } from './companion-helpers.js';

/**
 * README.md "The layouts": the `cdk deploy` commands' `-c` context is what the app reads:
 * each layout's settings load, and the companion deploy's context synthesizes the companion
 * stack (cdk-nag validating) in the IdC account, naming the stack the deploy names.
 */

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The shell blocks of the section, in order. */
function layoutBlocks(): string[] {
  const start = README.indexOf('### The layouts');
  const end = README.indexOf('\n## ', start);
  const section = README.slice(start, end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

/** `-c key=value` pairs of a block (single-quoted values unquoted), as CDK context. */
function contextOf(block: string): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const m of block.matchAll(/-c\s+('([^']*)'|(\S+))/g)) {
    const pair = m[2] ?? m[3] ?? '';
    const eq = pair.indexOf('=');
    context[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return context;
}

/** The stack names the block's `cdk deploy` commands deploy. */
function deployedStacks(block: string): string[] {
  return [...block.matchAll(/npx cdk deploy (\S+)/g)].map((m) => m[1] ?? '');
}

describe('README deploy commands', () => {
  it('one account: settings load, the stack named as deployed, bootstrapped where it goes', () => {
    const [one] = layoutBlocks();
    const context = contextOf(one ?? '');
    const s = settingsFrom(context);
    expect(deployedStacks(one ?? '')).toEqual([s.stackName]);
    expect(s.identityCenterAccountId).toBe(s.account);
    expect(one).toContain(`npx cdk bootstrap aws://${s.account}/${s.region}`);
  });

  it('two accounts: the idsync stack then the companion, in the IdC account, passing cdk-nag', () => {
    const [, two] = layoutBlocks();
    const context = contextOf(two ?? '');
    const s = settingsFrom(context);
    expect(s.identityCenterAccountId).not.toBe(s.account);
    expect(deployedStacks(two ?? '')).toEqual([s.stackName, `${s.stackName}-IdentityCenter`]);
    expect(two).toContain(`npx cdk bootstrap aws://${s.account}/${s.region}`);
    expect(two).toContain(
      `npx cdk bootstrap aws://${s.identityCenterAccountId}/${s.identityCenterRegion}`,
    );
    const { stack, assembly } = synthApp(context);
    expect(stack.stackName).toBe(`${s.stackName}-IdentityCenter`);
    expect(
      assembly.stacks.map((x) => [x.stackName, x.environment.account, x.environment.region]),
    ).toEqual([
      [`${s.stackName}-IdentityCenter`, s.identityCenterAccountId, s.identityCenterRegion],
    ]);
  });

  it('QuickSight in its own account: the idsync stack then the companion there, passing cdk-nag', () => {
    const [, , three] = layoutBlocks();
    const context = contextOf(three ?? '');
    const s = settingsFrom(context);
    expect(s.quickSightAccountId).not.toBe(s.account);
    expect(deployedStacks(three ?? '')).toEqual([s.stackName, `${s.stackName}-QuickSight`]);
    expect(three).toContain(`npx cdk bootstrap aws://${s.account}/${s.region}`);
    expect(three).toContain(
      `npx cdk bootstrap aws://${s.quickSightAccountId}/${s.quickSightRegion}`,
    );
    expect(README).toContain(quickSightOperatorRoleArn(s).split('/').at(-1));
    const { stack, assembly } = synthApp(context);
    expect(
      assembly.stacks.map((x) => [x.stackName, x.environment.account, x.environment.region]),
    ).toEqual([[`${s.stackName}-QuickSight`, s.quickSightAccountId, s.quickSightRegion]]);
    expect(stack.stackName).toBe(`${s.stackName}-QuickSight`);
  });

  it('several QuickSight accounts: the stack and the further account’s companion synthesize cdk-nag clean', () => {
    const [, , , several] = layoutBlocks();
    const context = contextOf(several ?? '');
    const s = settingsFrom(context);
    expect(s.environment.IDSYNC_QUICKSIGHT_ACCOUNTS).toMatch(/@arn:aws:iam::\d{12}:role\//);
    const further = String(context.companionAccountId);
    expect(deployedStacks(several ?? '')).toEqual([
      s.stackName,
      `${s.stackName}-QuickSight-${further}`,
    ]);
    expect(several).toContain(`npx cdk bootstrap aws://${further}/${s.quickSightRegion}`);
    const synth = (ctx: Record<string, unknown>) =>
      synthApp(ctx).assembly.stacks.map((x) => [x.stackName, x.environment.account]);
    const { companion: _c, companionAccountId: _a, ...stackContext } = context;
    expect(synth(stackContext)).toEqual([[s.stackName, s.account]]);
    expect(synth(context)).toEqual([[`${s.stackName}-QuickSight-${further}`, further]]);
  });
});
