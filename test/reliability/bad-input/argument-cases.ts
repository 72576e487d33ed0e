import type { BadInputCase } from './case-types.js';

function arg(
  id: string,
  argv: readonly string[],
  code: number,
  message: BadInputCase['message'],
  extra: Partial<BadInputCase> = {},
): BadInputCase {
  return { id: `arg-${id}`, group: 'argument', argv, code, message, ...extra };
}

export const ARGUMENT_CASES: BadInputCase[] = [
  arg('unknown-command', ['bogus'], 2, "unknown command 'bogus'", { spawn: true }),
  arg('unknown-global-flag', ['--bogus'], 2, "unknown option '--bogus'"),
  arg('unknown-plan-flag', ['plan', '--bogus'], 2, "unknown option '--bogus'"),
  arg('unknown-apply-flag', ['apply', '--force'], 2, "unknown option '--force'"),
  arg(
    'unknown-remove-flag',
    ['remove', '--csv', '{dir}/x.csv', '--yes'],
    2,
    "unknown option '--yes'",
  ),
  arg('snapshot-extra-argument', ['snapshot', 'now'], 2, 'too many arguments'),
  arg('resolve-missing-id', ['resolve'], 2, "missing required argument 'userId'"),
  arg('resolve-empty-id', ['resolve', ''], 2, 'resolve needs an IdC user id', { spawn: true }),
  arg('resolve-slash-id', ['resolve', 'a/b'], 2, 'is not an IdC user id'),
  arg('resolve-long-id', ['resolve', 'x'.repeat(3000)], 2, 'is not an IdC user id'),
  arg('resolve-json-empty-id', ['--json', 'resolve', '   '], 2, 'resolve needs an IdC user id'),
  arg(
    'handle-event-missing-file-argument',
    ['handle-event'],
    2,
    "missing required argument 'file'",
  ),
  arg('remove-without-csv', ['remove'], 2, 'remove needs --csv FILE'),
  arg('remove-csv-without-value', ['remove', '--csv'], 2, "option '--csv <file>' argument missing"),
  arg('report-without-out', ['report'], 2, 'report needs --out FILE'),
  arg(
    'apply-report-without-value',
    ['apply', '--report'],
    2,
    "option '--report <file>' argument missing",
  ),
  arg('audit-format-xml', ['audit', '--format', 'xml'], 2, '--format "xml": use'),
  arg(
    'audit-since-words',
    ['audit', '--since', 'yesterday'],
    2,
    '--since "yesterday": expected an ISO date',
  ),
  arg('audit-since-february-30', ['audit', '--since', '2026-02-30'], 2, '--since "2026-02-30"'),
  arg('audit-since-huge-relative', ['audit', '--since', '99999999d'], 2, 'expected an ISO date'),
  arg(
    'plan-limit-words',
    ['plan', '--limit', 'abc'],
    2,
    '--limit must be a whole number (got abc)',
  ),
  arg('plan-limit-negative', ['plan', '--limit', '-5'], 2, '--limit must be a whole number'),
  arg(
    'plan-limit-exponent',
    ['plan', '--limit', '1e3'],
    2,
    '--limit must be a whole number (got 1e3)',
  ),
  arg(
    'plan-max-deletions-hex',
    ['plan', '--max-deletions', '0x10'],
    2,
    '--max-deletions must be a whole number',
  ),
  arg(
    'reconcile-max-deletions-fraction',
    ['reconcile', '--apply', '--max-deletions', '2.5'],
    2,
    '--max-deletions must be a whole number',
  ),
  arg('sandbox-seed-words', ['sandbox', '--seed', 'x'], 2, '--seed must be a whole number'),
  arg('sandbox-port-too-big', ['sandbox', '--port', '70000'], 2, '--port must be a port number'),
  arg('sandbox-unknown-org', ['sandbox', '--org', 'huge'], 2, '--org must be demo or small'),
  arg(
    'sandbox-fault-bad-value',
    ['sandbox', 'fault', 'qs.errorRate=5'],
    2,
    'errorRate must be a decimal number from 0 to 1',
  ),
  arg('sandbox-fault-bad-word', ['sandbox', 'fault', 'nope'], 2, 'use TARGET.KNOB=VALUE'),
  arg(
    'sandbox-fault-unknown-knob',
    ['sandbox', 'fault', 'qs.errorRate=0.5', 'qs.flood=1'],
    2,
    'unknown knob',
  ),
  arg('sandbox-dynamodb-bad-verb', ['sandbox', 'dynamodb', 'pause'], 2, 'expected stop or start'),
  arg(
    'sandbox-control-not-http',
    ['sandbox', 'state', '--control', 'javascript:1'],
    2,
    '--control must be the http URL',
  ),
  arg('report-out-proc', ['report', '--out', '/proc/self/report.html'], 4, 'it is on procfs'),
  arg('report-out-folder', ['report', '--out', '{dir}'], 4, 'it is a folder'),
  arg('audit-out-device', ['audit', '--since', '1d', '--out', '/dev/null'], 4, 'it is a device'),
  // --env-file: a file that cannot be read is named (exit 2), its bad values are reported like
  // the environment's, and it fills only what the environment leaves unset or blank.
  arg(
    'env-file-missing',
    ['--env-file', '{dir}/missing.env', 'resolve', 'x'],
    2,
    '--env-file {dir}/missing.env: cannot read it (no such file)',
    { spawn: true },
  ),
  arg(
    'env-file-missing-equals',
    ['snapshot', '--env-file={dir}/nope.env'],
    2,
    '--env-file {dir}/nope.env: cannot read it (no such file)',
    { spawn: true },
  ),
  arg('env-file-folder', ['--env-file', '{dir}', 'snapshot'], 2, 'cannot read it (is a folder'),
  arg(
    'env-file-binary',
    ['--env-file', '{dir}/bin.env', 'snapshot'],
    2,
    'not a text file of NAME=value lines',
    { files: { 'bin.env': new Uint8Array([0x49, 0x3d, 0, 0xff, 10]) } },
  ),
  arg(
    'env-file-bad-values-on-remove-apply',
    ['--env-file', '{dir}/bad.env', 'remove', '--csv', '{dir}/leaver.csv', '--apply'],
    2,
    [
      '2 configuration problems',
      'IDSYNC_RATE: must be a plain decimal number',
      'IDSYNC_MAX_DELETIONS: must be a whole number',
    ],
    {
      files: {
        'bad.env': '# idsync\nIDSYNC_RATE=0x10\nexport IDSYNC_MAX_DELETIONS="1e3"\n',
        'leaver.csv': 'email\n{leaver}\n',
      },
    },
  ),
  arg(
    'env-file-fills-blank-variable',
    ['--env-file', '{dir}/subject.env', 'snapshot'],
    2,
    'IDSYNC_GOOGLE_SUBJECT: must be an email address',
    {
      env: { IDSYNC_GOOGLE_SUBJECT: '' },
      files: { 'subject.env': 'IDSYNC_GOOGLE_SUBJECT=admin\n' },
    },
  ),
];
