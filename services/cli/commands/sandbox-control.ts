import type { Command } from 'commander';
import { describeNoAnswer } from '../../../shared/aws/service-failure.js';
import { describeError, RemoteServiceError, UsageError } from '../../../shared/errors.js';
import type { PublishedMessage } from '../../sandbox/sns/stand-in.js';
import {
  action,
  type CliContext,
  ExitCode,
  type GlobalOptions,
  printResult,
} from '../command-context.js';
import { loadConfig } from '../lazy-config.js';

/**
 * `idsync sandbox fault …`, `idsync sandbox dynamodb stop|start`, `idsync sandbox state`: talk
 * to a running sandbox's control endpoint (--control URL, else IDSYNC_SANDBOX_CONTROL, which
 * `idsync sandbox` prints with the other variables).
 */

export interface ControlFlags {
  readonly control?: string;
}

export function controlUrl(ctx: CliContext, flags: ControlFlags): string {
  const fromFlag = flags.control?.trim();
  if (fromFlag) {
    const ok = URL.canParse(fromFlag) && /^https?:$/.test(new URL(fromFlag).protocol);
    if (!ok) throw new UsageError(`--control must be the http URL \`idsync sandbox\` printed`);
    return fromFlag.replace(/\/+$/, '');
  }
  const fromEnv = loadConfig([], ctx.io.env).core.sandboxControl;
  if (!fromEnv)
    throw new UsageError(
      'no sandbox control URL: pass --control URL or set IDSYNC_SANDBOX_CONTROL (printed by `idsync sandbox`)',
    );
  return fromEnv.replace(/\/+$/, '');
}

interface ControlState {
  faults: Record<string, { settings: Record<string, unknown>; counters: Record<string, number> }>;
  dynamodb: { running: boolean };
}

/** One request to the control endpoint; 400 is a usage error (exit 2), no answer exit 1. */
export async function call<T = ControlState>(
  url: string,
  method: 'GET' | 'POST',
  body?: unknown,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const origin = new URL(url).origin;
    const cause = (error as { cause?: unknown }).cause;
    const what =
      describeNoAnswer('the sandbox control', origin, error) ??
      `the sandbox control at ${origin} failed (${describeError(cause ?? error)})`;
    throw new RemoteServiceError('sandbox', `${what}; is \`idsync sandbox\` running?`);
  }
  const data = (await res.json().catch(() => ({}))) as { error?: unknown } & T;
  if (res.status === 400) throw new UsageError(String(data.error ?? 'bad request'));
  if (!res.ok)
    throw new RemoteServiceError(
      'sandbox control',
      `HTTP ${res.status}: ${String(data.error ?? '')}`,
    );
  return data;
}

export function formatControlState(state: ControlState): string {
  const lines = [`dynamodb     ${state.dynamodb.running ? 'running' : 'STOPPED'}`];
  for (const [target, { settings, counters }] of Object.entries(state.faults)) {
    const set = Object.entries(settings)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' ');
    lines.push(
      `${target.padEnd(12)} ${set || 'no faults'}  (${counters.calls ?? 0} calls, ${counters.throttled ?? 0} throttled, ${counters.errors ?? 0} errors, ${counters.resets ?? 0} resets)`,
    );
  }
  return lines.join('\n');
}

/** One call to the control endpoint (`path` below the control URL), then its state printed. */
async function callAndShow(
  ctx: CliContext,
  flags: ControlFlags,
  command: Command,
  request: { path: string; method: 'GET' | 'POST'; body?: unknown },
): Promise<number> {
  const state = await call<ControlState>(
    `${controlUrl(ctx, flags)}${request.path}`,
    request.method,
    request.body,
  );
  printResult(ctx.io, command.optsWithGlobals<GlobalOptions>(), state, formatControlState(state));
  return ExitCode.Ok;
}

/** Adds `--control URL` (default IDSYNC_SANDBOX_CONTROL) to a sandbox subcommand. */
export const withControl = (c: Command): Command =>
  c.option(
    '--control <url>',
    'control URL of the running sandbox (default IDSYNC_SANDBOX_CONTROL)',
  );

export function registerSandboxControl(sandbox: Command, ctx: CliContext): void {
  withControl(
    sandbox
      .command('fault')
      .description(
        'change faults of the running sandbox: qs.errorRate=0.5 idc.latencyMs=2000 google.throttleRate=0.2 ct@eu-west-1.errorRate=1 qs=off …',
      )
      .argument(
        '<assignments...>',
        'TARGET.KNOB=VALUE (targets qs, idc, google, ct, ct@REGION, ses) or TARGET=off',
      ),
  ).action(
    action(ctx, (words: string[], flags: ControlFlags, command: Command) =>
      callAndShow(ctx, flags, command, { path: '/faults', method: 'POST', body: { set: words } }),
    ),
  );
  withControl(
    sandbox
      .command('dynamodb')
      .description("stop or start the running sandbox's DynamoDB (its data is kept)")
      .argument('<stop|start>', 'stop: refuse connections, as an outage; start: serve again'),
  ).action(
    action(ctx, async (verb: string, flags: ControlFlags, command: Command) => {
      if (verb !== 'stop' && verb !== 'start')
        throw new UsageError(
          `sandbox dynamodb: expected stop or start (got ${JSON.stringify(verb)})`,
        );
      return callAndShow(ctx, flags, command, { path: `/dynamodb/${verb}`, method: 'POST' });
    }),
  );
  withControl(
    sandbox
      .command('notices')
      .description(
        'the run summaries published to the operator topic (the SNS stand-in) of the running sandbox',
      ),
  ).action(
    action(ctx, async (flags: ControlFlags, command: Command) => {
      const { notices } = await call<{ notices: PublishedMessage[] }>(
        `${controlUrl(ctx, flags)}/notices`,
        'GET',
      );
      printResult(
        ctx.io,
        command.optsWithGlobals<GlobalOptions>(),
        { notices },
        formatNotices(notices),
      );
      return ExitCode.Ok;
    }),
  );
  withControl(
    sandbox
      .command('state')
      .description('faults, call counters and DynamoDB state of the running sandbox'),
  ).action(
    action(ctx, (flags: ControlFlags, command: Command) =>
      callAndShow(ctx, flags, command, { path: '/state', method: 'GET' }),
    ),
  );
}

/** The operator topic's messages, oldest first: time, subject, then the message indented. */
export function formatNotices(notices: readonly PublishedMessage[]): string {
  if (notices.length === 0) return 'No message on the operator topic yet.';
  return notices
    .map((m) =>
      [
        `${m.at}  ${m.subject ?? '(no subject)'}`,
        ...m.message
          .trimEnd()
          .split('\n')
          .map((l) => `    ${l}`),
      ].join('\n'),
    )
    .join('\n\n');
}
