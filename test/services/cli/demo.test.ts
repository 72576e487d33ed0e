import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO, runDemo, wrap } from '../../../services/cli/demo.js';
import { runCli } from '../../../services/cli/main.js';

// The idle-Reader chapter adds ~45 s of paced LookupEvents and deletions; on a loaded 2-core
// machine the whole story took 163 s.
describe('idsync demo', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'idsync-demo-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the whole story on the sandbox: idle Readers pruned, leavers handled, guard trips, overrides delete, reports written', async () => {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, done) {
        out += String(chunk);
        done();
      },
    });
    const folder = join(dir, 'idsync-demo');
    // Fewer leavers than the real demo (300) keep the test shorter; still above the guard's 100.
    const code = await runDemo(
      { stdout: sink, stderr: sink, env: {} },
      { ...DEFAULT_DEMO, folder, leavers: 150 },
      runCli,
    );
    // Narration is word-wrapped: match it with its line breaks as spaces.
    const said = out.replace(/\s+/g, ' ');
    expect(code, out).toBe(0);
    // Idle Readers: the record is filled at LookupEvents' pace, the dry run trips the guard, the
    // override deletes exactly the idle Readers (the stand-in's own count).
    expect(out).toMatch(/activity sync: \d+ LookupEvents pages/);
    expect(out).toMatch(/LookupEvents calls \d+ \(throttled 0, retried 0\)/);
    expect(out).toMatch(
      /idle rule: READER, READER_PRO users with no activity in 60 days: [\d,]+ judged, 896 idle/,
    );
    expect(out).toMatch(
      /decisions: delete 0, not_found 0, protected 1, deferred 0, blocked 894, invalid 0, ends_with_group 1/,
    );
    expect(out).toMatch(/applied: 894 deleted, 0 already gone/);
    // Each number explained where it changes: 903 idle in the data, 896 managed, 894 deleted (1
    // protected, 1 IAM Identity Center user whose seat ends with the group).
    expect(said).toMatch(
      /903 of the 2,203 Readers have not used QuickSight for more than 60 days; 7 of those belong to people outside the Google groups, whom idsync never touches, so idsync should find 896/,
    );
    expect(said).toMatch(
      /idsync found 896 idle Readers; 1 of them is protected and kept, and 1 is an IAM Identity Center user: QuickSight refuses DeleteUser for it, so the plan lists "remove EMAIL from GROUP" for the operator instead \(ends_with_group\) .*; so 894 would be deleted/,
    );
    // The override run is the one the guard suggested.
    expect(said).toMatch(/allow them for this run only: --max-deletions 894 /);
    expect(said).toMatch(/idsync inactive --days 60 --warn-days 14 --apply --max-deletions 894 /);
    expect(said).toMatch(
      /The stand-in saw 894 idle Readers deleted \(0 not idle\), about \$2,682 a month saved \(894 READER × \$3\)/,
    );
    // Leavers: the forged event is ignored, the genuine ones resolve, the guard trips, the
    // override deletes them although the guard window already holds the idle deletions.
    expect(out).toMatch(/events: 151 \(1 foreign, 150 resolved\)/);
    expect(out).toMatch(/ignored: foreign event \(envelope source "custom.identitystore-scim"/);
    expect(out).toMatch(/GUARD TRIPPED/);
    expect(out).toMatch(/exit code 3/);
    expect(out).toMatch(/decisions: delete 149, not_found 0, protected 1/);
    expect(out).toMatch(
      /guard window: 894 deletions in the last 24 h \(earlier runs' overrides\), over its budget of 100/,
    );
    // Authors are no longer protected by default: only the protected user is kept.
    expect(said).toMatch(/Of the 150 leavers, 1 is kept .*so 149 would be deleted/);
    expect(said).toMatch(/allow them for this run only: --max-deletions 149 /);
    expect(said).toMatch(/idsync reconcile --apply --max-deletions 149\./);
    expect(out).toMatch(/applied: 149 deleted, 0 already gone/);
    // The monthly review: notices first (nobody up), a month later exactly the approved set
    // deleted, the final report read back through its pre-signed S3 link.
    const noticed = Number(
      /outbox \(idsync sandbox outbox\) now holds ([\d,]+) notices/.exec(said)?.[1],
    );
    expect(noticed).toBeGreaterThan(0);
    expect(out).toMatch(/found nobody to remove\./);
    const approved = Number(
      /puts ([\d,]+) QuickSight users up for removal: \d+ idle for 58 days/.exec(out)?.[1],
    );
    expect(approved).toBeGreaterThan(0);
    expect(approved).toBeLessThanOrEqual(noticed);
    expect(said).toContain(
      `The stand-in saw ${approved} deletions for the ${approved} approved users; 0 more notices were sent.`,
    );
    expect(out).toMatch(
      /done: \d+ deleted, 0 already gone, 0 cancelled, 0 held .*Final report: http:\/\/127\.0\.0\.1:\d+\/idsync-reports-sandbox\/runs\/.*\/final\.html\?/,
    );
    expect(said).toMatch(
      new RegExp(
        `counted ${(1045 + approved).toLocaleString('en-US')} deletions \\(894 idle Readers, 151 leavers, ${approved} in the monthly review\\), 0 of them repeated`,
      ),
    );
    // 1,043 idle Readers and leavers, and the handover chapter's 2 Authors.
    const deleted = (1045 + approved).toLocaleString('en-US');
    const readers = (1040 + approved).toLocaleString('en-US');
    expect(said).toMatch(
      new RegExp(
        `Priced by role \\(IDSYNC_PRICES\\), the ${deleted} users deleted save about \\$${(3 * (1040 + approved) + 5 * 24).toLocaleString('en-US')} a month \\(${readers} READER × \\$3 \\+ 5 AUTHOR × \\$24\\)`,
      ),
    );
    // Handover (services/cli/demo-handover.ts): two leaving Authors deferred and flagged with
    // their seats' cost while no successor is set; then handed over to it, deleted, nothing
    // orphaned at the stand-in.
    expect(said).toMatch(/no successor is set yet \(IDSYNC_ASSET_SUCCESSOR\): both are deferred/);
    expect(
      out.match(/\[AUTHOR\]\s+deferred: owns [^\n]*set IDSYNC_ASSET_SUCCESSOR\s+\(\$24\/month\)/g),
    ).toHaveLength(2);
    expect(said).toMatch(
      /The stand-in: \S+ deleted \(1 DeleteUser\), \S+ deleted \(1 DeleteUser\); \S+ owns 6 of the 6 assets; 0 assets without an owner\./,
    );
    const handoverHtml = readFileSync(join(folder, 'handover-report.html'), 'utf8');
    expect(handoverHtml).toMatch(/<h2 id="handed-over">Handed over<\/h2>/);
    expect(handoverHtml).toContain(
      'data-handed-over="6" data-analysis="1" data-dashboard="3" data-dataset="2"',
    );
    // Roles (services/cli/demo-roles.ts): a Reader moved to the authors group is upgraded by one
    // UpdateUser; idle Authors (no authoring in 60 days) become Readers, priced, none deleted.
    const upgrades = Number(/^\s*upgrade \((\d+)\)$/m.exec(out)?.[1]);
    expect(upgrades).toBeGreaterThanOrEqual(1);
    expect(out).toMatch(
      new RegExp(`applied: 0 deleted, ${upgrades} roles changed, 0 already gone`),
    );
    expect(said).toMatch(/The stand-in now lists \S+ as AUTHOR \(1 UpdateUser\)/);
    const downgrades = Number(/^\s*downgrade \((\d+)\)$/m.exec(out)?.[1]);
    expect(downgrades).toBeGreaterThanOrEqual(1);
    expect(out).toContain(
      `downgrades: ${downgrades} AUTHOR → READER × $21 = $${(21 * downgrades).toLocaleString('en-US')} a month saved`,
    );
    expect(said).toContain(
      `The stand-in saw ${downgrades} Authors changed to Readers and none deleted, $${(21 * downgrades).toLocaleString('en-US')} a month saved.`,
    );
    expect(out).toMatch(/\[\d+\.\d s\]/);
    // Every file the demo writes is in its one folder.
    expect(readdirSync(folder).sort()).toEqual([
      'handover-report.html',
      'idle-report.html',
      'leavers-report.html',
      'review-report.html',
    ]);
    expect(readFileSync(join(folder, 'review-report.html'), 'utf8')).toMatch(/<html/i);
    expect(readFileSync(join(folder, 'leavers-report.html'), 'utf8')).toMatch(/<html/i);
    const idleReport = join(folder, 'idle-report.html');
    expect(existsSync(idleReport)).toBe(true);
    const idleHtml = readFileSync(idleReport, 'utf8');
    expect(idleHtml).toMatch(/<h2 id="idle">Idle Readers<\/h2>/);
    expect(idleHtml).toMatch(/data-idle-deleted="894"/);
    expect(idleHtml).toMatch(/<table id="idle-soon" data-sortable/);
    // IAM Identity Center users: an idle one taken out of the Google group
    // (IDSYNC_GOOGLE_GROUP_WRITE=on), turned inactive by the sync, restored; a leaver's seat ends
    // with the group (no call); the 1st removes the leaver's seat, not the restored person's.
    expect(out).toMatch(/applied: 0 deleted, 1 taken out of a Google group,/);
    const restored =
      /The SCIM sync ran: 1 IdC-native user now inactive in QuickSight \((\S+)\)/.exec(said)?.[1] ??
      '?';
    expect(said).toContain(`dry run: ${restored} would be added back to 1 Google group`);
    expect(said).toMatch(/: added back/);
    const leaver = /A leaver: (\S+) leaves the Google groups/.exec(said)?.[1] ?? '?';
    expect(said).toContain(`plan: ${leaver}: ends_with_group:`);
    expect(said).toMatch(/QuickSight removes it on \d{4}-\d\d-01 \(no API call\)/);
    const ended =
      /removes the \d+ inactive IdC-native users? itself \(([^)]*)\); (\S+) is active again/.exec(
        said,
      );
    expect(ended?.[1]?.split(', ')).toContain(leaver);
    expect(ended?.[1]?.split(', ')).not.toContain(restored);
    expect(ended?.[2]).toBe(restored);
  });

  it('wraps narration to the width, continuation lines indented', () => {
    const text = wrap(`▶ ${'word '.repeat(60)}`, 40, '  ');
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(40);
    expect(
      text
        .split('\n')
        .slice(1)
        .every((l) => l.startsWith('  ')),
    ).toBe(true);
  });
});
