import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
} from '../command-context.js';
import { type ControlFlags, call, controlUrl, withControl } from './sandbox-control.js';

/**
 * The world controls (services/sandbox/control/world-routes.ts) from a second shell: people
 * leave, join and move between Google groups, the SCIM sync runs, QuickSight users are used and
 * registered, on the running sandbox. Each prints what changed in a few plain lines (`--json`:
 * the control's whole answer).
 */

interface WorldAnswer {
  readonly summary: string[];
}

async function worldCall<T extends WorldAnswer = WorldAnswer>(
  ctx: CliContext,
  flags: ControlFlags,
  name: string,
  body: Record<string, unknown>,
): Promise<T> {
  return call<T>(`${controlUrl(ctx, flags)}/world/${name}`, 'POST', body);
}

/** Runs one control and prints its summary (or JSON). */
function simple(
  ctx: CliContext,
  name: string,
  bodyOf: (email: string, flags: Record<string, unknown>) => Record<string, unknown>,
) {
  return action(ctx, async (email: string, flags: ControlFlags, command: Command) => {
    const answer = await worldCall(ctx, flags, name, bodyOf(email, { ...flags }));
    printResult(
      ctx.io,
      command.optsWithGlobals<GlobalOptions>(),
      answer,
      answer.summary.join('\n'),
    );
    return ExitCode.Ok;
  });
}

export function registerSandboxWorld(sandbox: Command, ctx: CliContext): void {
  withControl(
    sandbox
      .command('leave')
      .description('EMAIL leaves a Google group (default: every configured group they are in)')
      .argument('<email>', "the person's e-mail")
      .option('--group <group>', 'only this group (its e-mail, or its name in the domain)'),
  ).action(simple(ctx, 'leave', (email, f) => ({ email, group: f.group })));
  withControl(
    sandbox
      .command('join')
      .description('EMAIL (new or returning) joins a Google group')
      .argument('<email>', "the person's e-mail")
      .requiredOption('--group <group>', 'the group (its e-mail, or its name in the domain)')
      .option(
        '--role <role>',
        'QuickSight role on first sign-in: READER (default), AUTHOR or ADMIN',
      ),
  ).action(simple(ctx, 'join', (email, f) => ({ email, group: f.group, role: f.role })));
  withControl(
    sandbox
      .command('move')
      .description('EMAIL moves from one Google group to another')
      .argument('<email>', "the person's e-mail")
      .requiredOption('--from <group>', 'the group they leave')
      .requiredOption('--to <group>', 'the group they join'),
  ).action(simple(ctx, 'move', (email, f) => ({ email, from: f.from, to: f.to })));
  withControl(
    sandbox
      .command('activity')
      .description("a QuickSight call by EMAIL's QuickSight user, into the sandbox's CloudTrail")
      .argument('<email>', "the person's e-mail")
      .option('--days-ago <n>', 'whole days before now, 0 (default: now) to 90')
      .option('--event <name>', 'the QuickSight API call (default GetDashboard)')
      .option('--role <role>', 'which QuickSight user, when the person has several'),
  ).action(
    simple(ctx, 'activity', (email, f) => ({
      email,
      daysAgo: f.daysAgo,
      event: f.event,
      role: f.role,
    })),
  );
  withControl(
    sandbox
      .command('new-user')
      .description(
        "EMAIL's first QuickSight sign-in: a user registered now, with its CreateUser event",
      )
      .argument('<email>', "the person's e-mail")
      .option(
        '--role <role>',
        'READER, AUTHOR or ADMIN (default: the role given at join, else READER)',
      ),
  ).action(simple(ctx, 'new-user', (email, f) => ({ email, role: f.role })));
  withControl(
    sandbox
      .command('sync')
      .description(
        'the SCIM sync runs now: IdC follows the Google groups; writes its CloudTrail events for idsync handle-event',
      )
      .option(
        '--out <file>',
        'where to write the events (JSON lines; default a new temporary file)',
      ),
  ).action(
    action(ctx, async (flags: ControlFlags & { out?: string }, command: Command) => {
      const { prepareOutputFile, outputWriteError } = await import('../../audit/output-file.js');
      const named = flags.out ?? join(tmpdir(), `idsync-sandbox-sync-${stamp(new Date())}.jsonl`);
      const path = await prepareOutputFile(named, 'sync events');
      const answer = await worldCall<
        WorldAnswer & { events: unknown[]; deleted: unknown[]; created: unknown[] }
      >(ctx, flags, 'sync', {});
      const lines = answer.events.map((e) => `${JSON.stringify(e)}\n`).join('');
      await writeFile(path, lines).catch((error: unknown) => {
        throw outputWriteError(path, 'sync events', error);
      });
      const n = answer.events.length;
      printResult(
        ctx.io,
        command.optsWithGlobals<GlobalOptions>(),
        { deleted: answer.deleted, created: answer.created, events: n, eventsFile: path },
        [
          ...answer.summary,
          `events: ${n} CloudTrail event${n === 1 ? '' : 's'} written to ${named}; in AWS EventBridge delivers them to the events function, here: idsync handle-event ${named}`,
        ].join('\n'),
      );
      return ExitCode.Ok;
    }),
  );
}

function stamp(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${process.pid}`;
}
