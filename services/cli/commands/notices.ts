import type { Command } from 'commander';
import { UsageError } from '../../../shared/errors.js';
import { escapeTerminalText } from '../../../shared/terminal-text.js';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
} from '../command-context.js';
import { loadConfig } from '../lazy-config.js';

/**
 * `idsync notices`: the notices to idle users (services/notices/), those needing attention first;
 * `idsync notices resolve USER --sent|--resend`: the operator's answer to a notice recorded as
 * `sending` (a crash or an unanswered SES call between the before- and after-record): `--sent`
 * when the user did receive it (SES's sending log, the user) — the notice days count from the
 * recorded start; `--resend` to remove the record so the next `idsync inactive --apply` sends a
 * new notice. Neither deletes anyone.
 */

export function registerNotices(program: Command, ctx: CliContext): void {
  const notices = program
    .command('notices')
    .description('notices sent to idle users (IDSYNC_NOTICE_FROM), those needing attention first');
  notices.action(
    action(ctx, async (_flags: unknown, command: Command) => {
      const config = loadConfig([], ctx.io.env);
      const runtime = await import('../../../shared/clients-from-config.js');
      const { NoticeStore } = await import('../../notices/notice-store.js');
      const stores = runtime.buildStores(config);
      try {
        const store = new NoticeStore(stores.doc, stores.names.notices);
        const all = [];
        for await (const page of store.all()) all.push(...page);
        const order = { sending: 0, refused: 1, sent: 2, closed: 3 } as const;
        all.sort((a, b) => order[a.state] - order[b.state] || a.userName.localeCompare(b.userName));
        const lines = [`${all.length} notice(s)`];
        for (const n of all) {
          const hint =
            n.state === 'sending'
              ? `  → idsync notices resolve ${n.userName} --sent | --resend`
              : n.state === 'refused'
                ? `  (${n.reason ?? ''})`
                : '';
          lines.push(
            `${n.state.padEnd(8)} ${n.userName}  ${n.sentAt ?? n.startedAt}${escapeTerminalText(hint)}`,
          );
        }
        printResult(ctx.io, command.optsWithGlobals<GlobalOptions>(), all, lines.join('\n'));
        return ExitCode.Ok;
      } finally {
        stores.close();
      }
    }),
  );
  notices
    .command('resolve')
    .description('settle a notice recorded as sending: --sent (the user got it) or --resend')
    .argument('<user>', 'the QuickSight user name the notice names')
    .option('--sent', 'the user received it: the notice days count from its recorded start')
    .option('--resend', 'remove the record: the next idsync inactive --apply sends a new notice')
    .option(
      '--scope <key>',
      "the user's QuickSight account and namespace: <account>/<namespace> for an account of IDSYNC_QUICKSIGHT_ACCOUNTS other than the home one (default: IDSYNC_QUICKSIGHT_NAMESPACE)",
    )
    .action(
      action(
        ctx,
        async (
          user: string,
          flags: { sent?: boolean; resend?: boolean; scope?: string },
          command: Command,
        ) => {
          if (flags.sent === flags.resend)
            throw new UsageError('notices resolve: give exactly one of --sent or --resend');
          const config = loadConfig(['quicksight'], ctx.io.env);
          const runtime = await import('../../../shared/clients-from-config.js');
          const { NoticeStore } = await import('../../notices/notice-store.js');
          const { activityKey } = await import('../../../shared/activity-record.js');
          const stores = runtime.buildStores(config);
          try {
            const store = new NoticeStore(stores.doc, stores.names.notices);
            const scope = flags.scope ?? config.quicksight.namespace;
            if (!config.quicksight.scopes.some((s) => s.key === scope))
              throw new UsageError(
                `notices resolve: --scope ${scope} is none of the configured scopes (${config.quicksight.scopes.map((s) => s.key).join(', ')})`,
              );
            const key = activityKey(scope, user);
            const notice = await store.get(key);
            if (notice?.state !== 'sending')
              throw new UsageError(
                `no notice of ${user} is waiting to be resolved (state: ${notice?.state ?? 'none'})`,
              );
            const done = flags.sent
              ? await store.markSent(key, notice.noticeId, {
                  messageId: 'resolved-by-operator',
                  sentAt: notice.startedAt,
                })
              : await store.abandon(key, notice.noticeId);
            const text = done
              ? `${user}: ${flags.sent ? `notice counted as sent ${notice.startedAt}` : 'notice record removed; the next idsync inactive --apply sends a new one'}`
              : `${user}: the notice changed meanwhile; run idsync notices`;
            printResult(ctx.io, command.optsWithGlobals<GlobalOptions>(), { user, done }, text);
            return done ? ExitCode.Ok : ExitCode.ItemsFailed;
          } finally {
            stores.close();
          }
        },
      ),
    );
}
