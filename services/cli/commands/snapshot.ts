import type { Command } from 'commander';
import type { SnapshotManifest } from '../../../shared/dynamo/snapshot-store.js';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
} from '../command-context.js';
import { loadConfig } from '../lazy-config.js';

const n = (v: number) => v.toLocaleString('en-US');

export function formatManifest(m: SnapshotManifest): string {
  const lines = [`snapshot ${m.runId}: ${m.status}`];
  const g = m.sources.google;
  if (g) {
    const groups = Object.entries(g.groups ?? {})
      .map(([name, count]) => `${name} ${n(count)}${count === 0 ? ' (EMPTY)' : ''}`)
      .join(', ');
    lines.push(
      `  google      ${g.error ? `FAILED: ${g.error}` : `${n(g.count)} members (${n(g.pages)} pages): ${groups}`}`,
    );
    if (g.keepGroups && !g.error) {
      const keep = Object.entries(g.keepGroups)
        .map(([name, count]) => `${name} ${n(count)}${count === 0 ? ' (EMPTY)' : ''}`)
        .join(', ');
      lines.push(`  keep groups (IDSYNC_INACTIVE_KEEP_GROUPS, never pruned as idle): ${keep}`);
    }
  }
  for (const [label, s] of [
    ['idc', m.sources.idc],
    ['quicksight', m.sources.quicksight],
  ] as const) {
    if (s)
      lines.push(
        `  ${label.padEnd(10)}  ${s.error ? `FAILED: ${s.error}` : `${n(s.count)} users (${n(s.pages)} pages)`}`,
      );
  }
  const scopes = m.sources.quicksight?.scopes;
  if (scopes)
    lines.push(
      `  quicksight scopes (IDSYNC_QUICKSIGHT_ACCOUNTS): ${Object.entries(scopes)
        .map(([key, count]) => `${key} ${n(count)}`)
        .join(', ')}`,
    );
  for (const [label, s] of Object.entries(m.sources)) {
    if (s?.invalid)
      lines.push(
        `  ${label} values over their limits: ${n(s.invalid.count)} (${s.invalid.reasons.join('; ')})`,
      );
  }
  return lines.join('\n');
}

export function registerSnapshot(program: Command, ctx: CliContext): void {
  program
    .command('snapshot')
    .description('take a snapshot; prints run id, counts, COMPLETE/PARTIAL')
    .action(
      action(ctx, async (_options: unknown, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const config = loadConfig(
          ['google', 'identityStore', 'quicksight', 'snapshot', 'inactive'],
          ctx.io.env,
        );
        const { takeSnapshot } = await import('../take-snapshot.js');
        const result = await takeSnapshot(config, undefined, ctx.io);
        const m = result.manifest;
        const human = [
          formatManifest(m),
          m.status === 'COMPLETE'
            ? `  identity map: ${n(result.goneUserIds.length)} IdC users newly marked gone; ledger: ${n(result.ledgerRecorded)} members recorded`
            : `  PARTIAL: ${m.reason}\n  Nothing will be decided from this snapshot; fix the cause and run idsync snapshot again.`,
        ].join('\n');
        printResult(ctx.io, globals, result, human);
        return m.status === 'COMPLETE' ? ExitCode.Ok : ExitCode.GuardOrPartial;
      }),
    );
}
