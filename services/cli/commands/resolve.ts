import type { Command } from 'commander';
import type { IdentityRecord } from '../../../shared/domain.js';
import { NotFoundError, UsageError } from '../../../shared/errors.js';
import { IDC_USER_ID_PATTERN, MAX_IDC_USER_ID_LENGTH } from '../../../shared/value-limits.js';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
} from '../command-context.js';
import { loadConfig } from '../lazy-config.js';

export function formatIdentity(r: IdentityRecord): string {
  const lines = [
    `user id     ${r.userId}`,
    `user name   ${r.userName}`,
    `email       ${r.emails.join(', ') || '(none)'}`,
    ...(r.displayName ? [`name        ${r.displayName}`] : []),
    ...(r.externalIds.length
      ? [`external id ${r.externalIds.map((e) => `${e.id} (${e.issuer})`).join(', ')}`]
      : []),
    `first seen  ${r.firstSeen}`,
    `last seen   ${r.lastSeen}`,
    `status      ${r.goneAt ? `gone from IdC since ${r.goneAt}` : 'present in IdC'}`,
  ];
  for (const h of r.history)
    lines.push(`earlier     ${h.userName} <${h.emails.join(', ')}> until ${h.until}`);
  return lines.join('\n');
}

export function registerResolve(program: Command, ctx: CliContext): void {
  program
    .command('resolve <userId>')
    .description('the identity-map record of an IdC user id, also after deletion')
    .action(
      action(ctx, async (userId: string, _options: unknown, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const id = userId.trim();
        if (!IDC_USER_ID_PATTERN.test(id))
          throw new UsageError(
            id === ''
              ? 'resolve needs an IdC user id (e.g. 90676a1f2e-0b1c-4d5e-8f90-123456789abc)'
              : `${JSON.stringify(userId.slice(0, 80))} is not an IdC user id (letters, digits and -, at most ${MAX_IDC_USER_ID_LENGTH})`,
          );
        const config = loadConfig([], ctx.io.env);
        const { buildStores } = await import('../../../shared/clients-from-config.js');
        const stores = buildStores(config);
        try {
          const record = await stores.identities.get(id);
          if (!record) {
            throw new NotFoundError(
              `IdC user id ${userId} is not in the identity map (never seen by a snapshot or event)`,
            );
          }
          printResult(ctx.io, globals, record, formatIdentity(record));
          return ExitCode.Ok;
        } finally {
          stores.close();
        }
      }),
    );
}
