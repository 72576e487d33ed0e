import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { DEFAULT_PRICES, describeSavings, savingsByRole } from '../../shared/prices.js';
import { releaseCommand } from '../../shared/release-command.js';
import { formatMoney } from '../audit/report-text.js';
import {
  cloudTrailEvent,
  type EventBridgeEnvelope,
  eventBridgeEnvelope,
} from '../sandbox/cloudtrail-events.js';
import { isOrdinaryLeaver } from '../sandbox/scenarios/leavers.js';
import { demoOrg } from '../sandbox/scenarios/org.js';
import type { SandboxOrg } from '../sandbox/scenarios/org-types.js';
import { startSandbox } from '../sandbox/start-sandbox.js';
import { removePeople } from '../sandbox/sync-simulator.js';
import type { CliIo } from './command-context.js';
import { handoverChapter } from './demo-handover.js';
import { identityCenterChapter } from './demo-identity-center.js';
import { countAfter, idleReaderChapter, suggestedOverride } from './demo-idle.js';
import { reviewChapter } from './demo-review.js';
import { rolesChapter } from './demo-roles.js';
import { highlightResult, useColour } from './highlight.js';
import { preloadConfig } from './lazy-config.js';

const n = (v: number) => v.toLocaleString('en-US');

export interface DemoOptions {
  /** The folder the demo's files go in (its HTML reports); created when missing. */
  readonly folder: string;
  /** How many people leave their groups. */
  readonly leavers: number;
  /** The QuickSight stand-in's own limit (calls/s), which idsync does not know and must find. */
  readonly apiRate: number;
  readonly seed: number;
}

export const DEFAULT_DEMO: DemoOptions = {
  folder: 'idsync-demo',
  leavers: 300,
  apiRate: 50,
  seed: 42,
};

type Run = (
  argv: string[],
  env: Record<string, string>,
  quiet?: boolean,
) => Promise<{ code: number; stdout: string }>;

/**
 * `idsync demo` (npm start): the whole product on the sandbox, narrated step by step. It runs
 * the real commands in-process against the local stand-ins, exactly as an operator would.
 */
export async function runDemo(
  io: CliIo,
  options: DemoOptions,
  runCli: (argv: string[], io: CliIo) => Promise<number>,
): Promise<number> {
  const say = (text: string) => io.stdout.write(`\n${wrap(`▶ ${text}`, 100, '  ')}\n`);
  const note = (text: string) => io.stdout.write(indent(`${text}\n`));
  // Guard trips, blocked and failed counts in colour on a terminal, unless NO_COLOR.
  const colour = useColour(io.stdout, (await preloadConfig()).loadConfig([], io.env).core.color);
  const run: Run = async (argv, env, quiet = false) => {
    let stdout = '';
    const capture = new Writable({
      write(chunk, _enc, done) {
        stdout += String(chunk);
        const text = indent(String(chunk));
        if (!quiet) io.stdout.write(colour ? highlightResult(text) : text);
        done();
      },
    });
    const t0 = performance.now();
    const code = await runCli(argv, {
      stdout: Object.assign(capture, { isTTY: false }),
      stderr: io.stderr,
      env,
    });
    const seconds = (performance.now() - t0) / 1000;
    if (!quiet) io.stdout.write(indent(`[${seconds.toFixed(1)} s]\n`));
    return { code, stdout };
  };
  const started = performance.now();
  const org = demoOrg(options.seed);
  say(
    `Starting the sandbox: DynamoDB (dynalite) and wire-level stand-ins of QuickSight, IAM Identity Center, Google Directory and CloudTrail LookupEvents, all on 127.0.0.1. ` +
      `The demo company has ${n(org.counts.quickSightUsers)} QuickSight users (${n(org.counts.quickSightByRole.READER ?? 0)} Readers) and ${n(org.counts.entitledPeople)} people in its Google groups.`,
  );
  const sandbox = await startSandbox({
    org,
    faults: { quicksight: { bucket: { rate: options.apiRate, burst: 20 } } },
    // One QuickSight event per active user and per lapsed Reader (the fewest that tell every
    // story) keeps activity sync to ~35 pages: ~18 s at LookupEvents' real 2 calls a second.
    activity: { events: 0, lapsedExtraEvents: 0 },
  });
  const work = mkdtempSync(join(tmpdir(), 'idsync-demo-'));
  try {
    const env = {
      ...sandbox.env,
      IDSYNC_LOG_LEVEL: 'warn',
      IDSYNC_RATE: String(options.apiRate * 4),
    };
    const guard = (await preloadConfig()).loadConfig(['plan'], env).plan;
    note(
      wrap(
        `QuickSight answers at most ${options.apiRate} calls/s here (idsync is not told; it finds the pace); LookupEvents 2 calls/s, as in AWS. ` +
          `Guard: at most ${guard.maxDeletions} deletions and ${guard.maxDeletionPercent}% of the QuickSight users in one run, and ${guard.maxDeletions} in any ${guard.guardWindowHours} h across runs ` +
          '(IDSYNC_MAX_DELETIONS, IDSYNC_MAX_DELETION_PERCENT, IDSYNC_GUARD_WINDOW_HOURS).',
        98,
        '',
      ),
    );
    await run(['init-tables'], env, true);

    say(
      'Taking the snapshot: every group member, IdC user and QuickSight user goes into DynamoDB, and the identity map learns who each IdC user id is.',
    );
    if ((await run(['snapshot'], env)).code !== 0) return 1;

    const folder = resolve(options.folder);
    mkdirSync(folder, { recursive: true });
    const report = join(folder, 'leavers-report.html');
    const idleReport = join(folder, 'idle-report.html');
    const idle = await idleReaderChapter(
      sandbox,
      env,
      { ...guard, report: idleReport },
      run,
      say,
      (t) => note(wrap(t, 98, '')),
    );
    if (idle.code !== 0) return idle.code;

    // Leavers are people whose QuickSight users are all still there (not pruned as idle).
    const gone = new Set(org.quickSight.deletes.keys());
    const sync = removePeople(org, {
      count: options.leavers,
      includeAuthors: 3,
      includeProtected: 1,
      filter: (p) => isOrdinaryLeaver(p) && p.quickSightUsers.every((u) => !gone.has(u.userName)),
    });
    const forged = forgedDeleteUser(org, sync.leavers.emails);
    const eventsFile = join(work, 'delete-events.jsonl');
    writeFileSync(
      eventsFile,
      `${[...sync.events, ...(forged ? [forged.event] : [])].map((e) => JSON.stringify(e)).join('\n')}\n`,
    );
    say(
      `Leavers. ${n(options.leavers)} people leave their Google groups. The SCIM sync deletes their ${n(sync.deleted.length)} IdC users and CloudTrail records ${n(sync.events.length)} DeleteUser events, ` +
        `each carrying only a user id: every name and email is masked as HIDDEN_DUE_TO_SECURITY_REASONS.` +
        (forged
          ? ` One more DeleteUser event is forged: an application put it on the event bus under its own source, naming ${forged.email}, who has not left.`
          : ''),
    );
    io.stdout.write(indent(`e.g. ${JSON.stringify(sync.events[0]?.detail.requestParameters)}\n`));

    say(
      'Handling the events (dry run). Only genuine events act: the EventBridge source must be the AWS one (aws.identitystore-scim; applications cannot send aws.* sources), and the account and identity store the configured ones. ' +
        'Each genuine user id is resolved through the identity map, although the IdC user no longer exists. ' +
        `So many deletions at once trip the guard: nothing is deleted.`,
    );
    const handled = await run(['handle-event', eventsFile, '--limit', '3'], env);
    const kept = countAfter(handled.stdout, /^\s*protected \(([\d,]+)\)/m) ?? 0;
    const limit = suggestedOverride(handled.stdout);
    note(
      wrap(
        `exit code ${handled.code} (3 = the guard tripped: nothing deleted). ` +
          `Of the ${n(sync.leavers.emails.length)} leavers, ${n(kept)} ${kept === 1 ? 'is' : 'are'} kept (Admins and protected users are never deleted; an Author's assets would first be handed over), so ${limit === undefined ? 'the rest' : n(limit)} would be deleted.`,
        98,
        '',
      ),
    );
    if (limit === undefined) return handled.code || 1;

    say(
      `The operator reviews the plan and applies it with the override the guard suggested, for this run only: idsync reconcile --apply --max-deletions ${limit}. ` +
        `The guard window already holds today's ${n(idle.deleted)} idle deletions, more than its budget of ${guard.maxDeletions} a day: without the override these deletions would be queued BLOCKED, ` +
        `kept until an operator releases them with ${releaseCommand()} (idsync apply applies the queued tasks by default; --dry-run lists them).`,
    );
    const applied = await run(
      [
        'reconcile',
        '--apply',
        '--max-deletions',
        String(limit),
        '--report',
        report,
        '--limit',
        '3',
      ],
      env,
    );

    if (applied.code !== 0) return applied.code;

    const review = await reviewChapter(sandbox, env, run, say, (t) => note(wrap(t, 98, '')));
    if (review.finalReport) writeFileSync(join(folder, 'review-report.html'), review.finalReport);
    const handoverReport = join(folder, 'handover-report.html');
    if (
      (await handoverChapter(sandbox, env, run, say, (t) => note(wrap(t, 98, '')), handoverReport))
        .code !== 0
    )
      return 1;
    if ((await rolesChapter(sandbox, env, run, say, (t) => note(wrap(t, 98, '')))).code !== 0)
      return 1;
    const idc = await identityCenterChapter(sandbox, env, run, say, (t) => note(wrap(t, 98, '')));
    if (idc.code !== 0) return idc.code;

    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const deletes = [...org.quickSight.deletes.entries()];
    const roleOf = new Map(sandbox.activity.users.map((u) => [u.userName, u.role]));
    const saved = savingsByRole(
      DEFAULT_PRICES,
      deletes.map(([k]) => roleOf.get(k) ?? 'READER'),
    );
    say(
      `Done in ${seconds} s. The QuickSight stand-in counted ${n(deletes.reduce((a, [, c]) => a + c, 0))} deletions (${n(idle.deleted)} idle Readers, ${n(deletes.length - idle.deleted - review.deleted)} leavers, ${n(review.deleted)} in the monthly review), ` +
        `${deletes.filter(([, c]) => c > 1).length} of them repeated; ${n(org.quickSight.size)} QuickSight users remain. ` +
        `Priced by role (IDSYNC_PRICES), the ${n(saved.seats)} users deleted save about ${formatMoney(saved.monthly)} a month (${describeSavings(saved, formatMoney)}). ` +
        `Open the reports in ${folder}: idle-report.html (idle Readers), leavers-report.html (leavers), review-report.html (the monthly review's final report) and handover-report.html (the assets handed over).`,
    );
    return review.code;
  } finally {
    rmSync(work, { recursive: true, force: true });
    await sandbox.close();
  }
}

/**
 * A DeleteUser event an application could put on the event bus, naming a person who is still in
 * the groups: same record as a genuine one, but under the application's own source (only AWS
 * sends `aws.*`). handle-event must ignore it as foreign.
 */
function forgedDeleteUser(
  org: SandboxOrg,
  leaving: readonly string[],
): { email: string; event: EventBridgeEnvelope } | undefined {
  const staying = new Set(leaving.map((e) => e.toLowerCase()));
  const person = org.people.find(
    (p) => !staying.has(p.email.toLowerCase()) && org.identityStore.findByUserName(p.email),
  );
  const user = person && org.identityStore.findByUserName(person.email);
  if (!person || !user) return undefined;
  const record = cloudTrailEvent({
    source: 'identitystore-scim.amazonaws.com',
    eventName: 'DeleteUser',
    userId: user.userId,
    identityStoreId: org.identityStoreId,
    tenantId: org.scimTenantId,
    accountId: org.accountId,
    region: org.region,
    time: new Date(),
  });
  return {
    email: person.email,
    event: { ...eventBridgeEnvelope(record), source: 'custom.identitystore-scim' },
  };
}

/** Word-wraps a paragraph to `width` columns, continuation lines indented. */
export function wrap(text: string, width: number, indentBy: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indentBy + word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}
