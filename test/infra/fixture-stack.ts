import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { JOBS, type Job } from '../../infra/constructs/idsync-function.js';
import { IdsyncStack, type IdsyncStackProps } from '../../infra/stacks/idsync-stack.js';
import { settingsFrom } from '../../infra/stacks/settings.js';

/** A tiny handler the infra tests bundle in place of the real jobs (written by other issues). */
export const FIXTURE_HANDLER = fileURLToPath(
  new URL('../fixtures/infra/handler.ts', import.meta.url),
);

export const ALL_FIXTURES: Record<Job, string> = Object.fromEntries(
  JOBS.map((j) => [j, FIXTURE_HANDLER]),
) as Record<Job, string>;

export interface FixtureOptions {
  /** Really bundle the entries with esbuild. @default false (assets staged unbundled) */
  readonly bundle?: boolean;
  /** Run CDK's built-in CloudFormation template validation on synth. @default false */
  readonly validate?: boolean;
}

/**
 * Builds the stack with fixture handlers (or the given entries) and its template. By default
 * it skips esbuild (`aws:cdk:bundling-stacks` = []) and CDK's built-in template validation,
 * which together cost seconds per synth; bundle.test.ts and nag.test.ts turn them on.
 */
export function fixtureStack(
  context: Record<string, unknown> = {},
  overrides: Partial<Omit<IdsyncStackProps, 'settings'>> = {},
  options: FixtureOptions = {},
): { stack: IdsyncStack; template: Template } {
  const app = new App({
    builtinCloudFormationValidation: options.validate ?? false,
    ...(options.bundle ? {} : { context: { 'aws:cdk:bundling-stacks': [] } }),
  });
  const settings = settingsFrom(context);
  const stack = new IdsyncStack(app, 'IdsyncTest', {
    env: { account: settings.account, region: settings.region },
    settings,
    entries: ALL_FIXTURES,
    ...overrides,
  });
  return { stack, template: Template.fromStack(stack) };
}
