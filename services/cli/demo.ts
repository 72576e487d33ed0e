import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { demoOrg } from '../sandbox/scenarios/org.js';
import { startSandbox } from '../sandbox/start-sandbox.js';
import { removePeople } from '../sandbox/sync-simulator.js';
import { idleReaderChapter } from './demo-idle.js';
import type { CliIo } from './io.js';

export interface DemoOptions {
  /** Where the HTML report goes. */
  readonly report: string;
  /** How many people leave their groups. */
  readonly leavers: number;
  /** The QuickSight stand-in's own limit (calls/s), which idsync does not know and must find. */
  readonly apiRate: number;
  readonly seed: number;
}

export const DEFAULT_DEMO: DemoOptions = {
  report: 'idsync-demo-report.html',
  leavers: 900,
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
  const run: Run = async (argv, env, quiet = false) => {
    let stdout = '';
    const capture = new Writable({
      write(chunk, _enc, done) {
        stdout += String(chunk);
        if (!quiet) io.stdout.write(indent(String(chunk)));
        done();
      },
    });
    const code = await runCli(argv, {
      stdout: Object.assign(capture, { isTTY: false }),
      stderr: io.stderr,
      env,
    });
    return { code, stdout };
  };
  const started = performance.now();
  const org = demoOrg(options.seed);
  say(
    `Starting the sandbox: DynamoDB (dynalite) and wire-level stand-ins of QuickSight, IAM Identity Center and Google Directory, all on 127.0.0.1. ` +
      `The demo company has ${org.counts.quickSightUsers.toLocaleString('en-US')} QuickSight users (${org.counts.quickSightByRole.READER?.toLocaleString('en-US')} Readers) and ${org.counts.entitledPeople.toLocaleString('en-US')} people in its Google groups.`,
  );
  const sandbox = await startSandbox({
    org,
    faults: { quicksight: { bucket: { rate: options.apiRate, burst: 20 } } },
    // One dashboard view per active user (plus the idle users' old ones) keeps activity sync
    // to ~25 s at LookupEvents' 2 calls a second.
    activity: { events: 0 },
  });
  const work = mkdtempSync(join(tmpdir(), 'idsync-demo-'));
  try {
    const env = {
      ...sandbox.env,
      IDSYNC_LOG_LEVEL: 'warn',
      IDSYNC_RATE: String(options.apiRate * 4),
    };
    io.stdout.write(
      indent(
        `QuickSight answers at most ${options.apiRate} calls/s here (idsync is not told; it finds the pace).\n`,
      ),
    );
    await run(['init-tables'], env, true);

    say(
      'Taking the pre-sync snapshot: every group member, IdC user and QuickSight user goes into DynamoDB, and the identity map learns who each IdC user id is.',
    );
    if ((await run(['snapshot'], env)).code !== 0) return 1;

    const idle = await idleReaderChapter(sandbox, env, run, say, (t) =>
      io.stdout.write(indent(`${t}\n`)),
    );
    if (idle.code !== 0) return idle.code;

    const sync = removePeople(org, {
      count: options.leavers,
      includeAuthors: 3,
      includeProtected: 1,
    });
    const eventsFile = join(work, 'delete-events.jsonl');
    writeFileSync(eventsFile, `${sync.events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    say(
      `${options.leavers} people leave their Google groups. The SCIM sync deletes their ${sync.deleted.length} IdC users and CloudTrail records ${sync.events.length} DeleteUser events, ` +
        `each carrying only a user id: every name and email is masked as HIDDEN_DUE_TO_SECURITY_REASONS.`,
    );
    io.stdout.write(indent(`e.g. ${JSON.stringify(sync.events[0]?.detail.requestParameters)}\n`));

    say(
      'Handling the events (dry run): each user id is resolved through the identity map, although the IdC user no longer exists. ' +
        'So many deletions at once trip the guard (IDSYNC_MAX_DELETIONS=100, IDSYNC_MAX_DELETION_PERCENT=10): nothing is deleted.',
    );
    const handled = await run(['handle-event', eventsFile, '--limit', '3'], env);
    io.stdout.write(indent(`exit code ${handled.code} (3 = guard tripped, nothing deleted)\n`));

    const limit = options.leavers + 100;
    say(
      `The operator reviews the plan and overrides the guard for this run only: idsync reconcile --apply --max-deletions ${limit}`,
    );
    const report = resolve(options.report);
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

    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const deletes = [...org.quickSight.deletes.values()];
    say(
      `Done in ${seconds} s. The QuickSight stand-in counted ${deletes.reduce((a, b) => a + b, 0)} deletions, ` +
        `${deletes.filter((n) => n > 1).length} of them repeated; ${org.quickSight.size.toLocaleString('en-US')} QuickSight users remain. ` +
        `At $3 per Reader a month, about $${(3 * deletes.length).toLocaleString('en-US')} a month saved. Open the report: ${report}`,
    );
    return applied.code;
  } finally {
    rmSync(work, { recursive: true, force: true });
    await sandbox.close();
  }
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
