import type { Command } from 'commander';
import { PLAIN_INTEGER } from '../../../shared/config/plain-numbers.js';
import { UsageError } from '../../../shared/errors.js';
import { newRunId } from '../../../shared/run-id.js';
import type { GuardOverride } from '../../removals/removals.js';
import { action, type CliContext, type GlobalOptions, printResult } from '../command-context.js';
import { DEFAULT_LIST_LIMIT, formatPlan } from '../format-plan.js';
import { loadConfig } from '../lazy-config.js';
import { runExitCode } from '../run-exit.js';

export interface GuardFlags {
  readonly maxDeletions?: string;
  readonly allowEmptiedGroups?: boolean;
}

/** Adds the guard override flags to a command. */
export function withGuardFlags(command: Command): Command {
  return command
    .option(
      '--max-deletions <n>',
      'allow up to N deletions in this run (overrides both guard limits)',
    )
    .option('--allow-emptied-groups', 'accept configured groups that went empty as really empty');
}

/** `--limit N` / `--all`: how many rows of each group the text output lists. */
export function withListFlags(command: Command): Command {
  return command
    .option(
      '--limit <n>',
      'rows listed per decision in the text output',
      String(DEFAULT_LIST_LIMIT),
    )
    .option('--all', 'list every decision in the text output');
}

export interface ListFlags {
  readonly limit?: string;
  readonly all?: boolean;
}

export function listLimit(flags: ListFlags): number {
  if (flags.all) return Number.POSITIVE_INFINITY;
  const text = (flags.limit ?? String(DEFAULT_LIST_LIMIT)).trim();
  const n = Number(text);
  if (!PLAIN_INTEGER.test(text) || n < 0)
    throw new UsageError(`--limit must be a whole number (got ${flags.limit})`);
  return n;
}

/** The flags of every planning command: the guard override and the list length. */
export type PlanFlags = GuardFlags & ListFlags;

/** Adds the guard and list flags (plan, reconcile, remove, inactive, handle-event). */
export function withPlanFlags(command: Command): Command {
  return withListFlags(withGuardFlags(command));
}

/** The guard override and list length the flags ask for (a UsageError for a bad value). */
export function readPlanFlags(flags: PlanFlags): {
  override: GuardOverride | undefined;
  limit: number;
} {
  return { override: guardOverride(flags), limit: listLimit(flags) };
}

export function guardOverride(flags: GuardFlags): GuardOverride | undefined {
  const override: { maxDeletions?: number; allowEmptiedGroups?: boolean } = {};
  if (flags.maxDeletions !== undefined) {
    const text = flags.maxDeletions.trim();
    const n = Number(text);
    if (!PLAIN_INTEGER.test(text) || n < 0) {
      throw new UsageError(
        `--max-deletions must be a whole number of 0 or more (got ${flags.maxDeletions})`,
      );
    }
    override.maxDeletions = n;
  }
  if (flags.allowEmptiedGroups) override.allowEmptiedGroups = true;
  return Object.keys(override).length > 0 ? override : undefined;
}

export function registerPlan(program: Command, ctx: CliContext): void {
  withPlanFlags(
    program
      .command('plan')
      .description('diff + pending events → plan; queues tasks, changes nothing in QuickSight'),
  ).action(
    action(ctx, async (flags: PlanFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const config = loadConfig(['plan', 'quicksight'], ctx.io.env);
      const { override, limit } = readPlanFlags(flags);
      const { buildLogger, buildStores } = await import('../../../shared/clients-from-config.js');
      const { cliRemovals } = await import('../cli-removals.js');
      const stores = buildStores(config);
      // `plan` queues its tasks (it is no dry run) and deletes nothing: it never applies.
      const removals = await cliRemovals(config, { stores, logger: buildLogger(config) }, ctx.io, {
        dryRun: false,
        json: globals.json === true,
      });
      try {
        const result = await removals.plan({
          kind: 'leavers',
          runId: newRunId(),
          ...(override ? { override } : {}),
        });
        printResult(ctx.io, globals, result, formatPlan(result, { limit }));
        return runExitCode({ plan: result });
      } finally {
        removals.close();
        stores.close();
      }
    }),
  );
}
