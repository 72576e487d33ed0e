import type { Command } from 'commander';
import { NotImplementedError } from '../../../shared/errors.js';

/** Commands of DESIGN.md §4 that later issues fill in: listed in --help, exit 1 when run. */
const PENDING: ReadonlyArray<readonly [usage: string, description: string]> = [
  ['snapshot', 'take a snapshot; prints run id, counts, COMPLETE/PARTIAL'],
  ['plan', 'diff + pending events → plan; changes nothing'],
  ['apply', 'run the pending tasks through the worker'],
  ['reconcile', 'snapshot → plan → apply (dry run without --apply)'],
  ['handle-event <file>', 'EventBridge/CloudTrail DeleteUser event(s) from FILE or - (stdin)'],
  ['resolve <userId>', 'the identity-map record of an IdC user id, also after deletion'],
  ['remove', 'remove the QuickSight users of the emails in a CSV (column email)'],
  ['audit', 'query/export the audit'],
  ['report', 'a self-contained HTML report of a run for operators'],
  ['sandbox', 'start the local stand-ins and print the environment that points at them'],
  ['demo', 'the whole pipeline on the sandbox, end to end (npm start)'],
];

/** Command names in the order of DESIGN.md §4, for --help. */
export const COMMAND_ORDER = [
  'init-tables',
  ...PENDING.map(([usage]) => usage.split(' ')[0] as string),
];

export function registerPendingCommands(program: Command, built: ReadonlySet<string>): void {
  for (const [usage, description] of PENDING) {
    const name = usage.split(' ')[0] as string;
    if (built.has(name)) continue;
    program
      .command(usage)
      .description(description)
      .allowUnknownOption(true)
      .action(() => {
        throw new NotImplementedError(`idsync ${name}`);
      });
  }
}
