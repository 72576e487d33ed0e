/**
 * The bad-input corpus: each case is a command line, its environment (on top of the sandbox's),
 * the files it reads, and what must come out: the exit code (DESIGN.md §4) and a fragment of the
 * message. Placeholders: `{dir}` is the case's own folder, `{leaver}` the email of a person who
 * left their groups (a deletion would be planned for them), `{leaverId}` their IdC user id.
 * No case may print a stack trace or delete anything (bad-input.test.ts checks both).
 */

export type CaseGroup = 'variable' | 'key-file' | 'argument' | 'csv' | 'event';

export interface BadInputCase {
  readonly id: string;
  readonly group: CaseGroup;
  readonly argv: readonly string[];
  /** On top of the sandbox's environment; `''` unsets a variable. */
  readonly env?: Readonly<Record<string, string>>;
  /** Files written to `{dir}` before the run. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  readonly code: number;
  /** Must appear in stdout or stderr (each one, when several). */
  readonly message: string | readonly string[];
  /**
   * A gap another branch closes (named here): the case states the required behaviour and is
   * expected to fail until that branch is merged (`it.fails`); remove the mark then.
   */
  readonly knownGap?: string;
  /** Also run as a child process of bin/idsync.js (the sample that checks the real process). */
  readonly spawn?: boolean;
}

/** A value as part of a case id: letters and digits kept, anything else as its code (`-` → x2d). */
const idPart = (value: string) =>
  value.replace(/[^a-zA-Z0-9]/g, (c) => `x${c.charCodeAt(0).toString(16)}`).slice(0, 32) || 'blank';

/** A command that reads every variable and otherwise does one cheap lookup. */
const PROBE = ['resolve', '0123456789-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'];

function variable(
  name: string,
  value: string,
  message: string,
  extra: Partial<BadInputCase> = {},
): BadInputCase {
  return {
    id: `var-${name.toLowerCase()}-${idPart(value)}`,
    group: 'variable',
    argv: PROBE,
    env: { [name]: value },
    code: 2,
    message: `${name}: ${message}`,
    ...extra,
  };
}

const required = (name: string, argv: readonly string[]): BadInputCase => ({
  id: `var-${name.toLowerCase()}-missing`,
  group: 'variable',
  argv,
  env: { [name]: '' },
  code: 2,
  message: `${name}: is required`,
});

const VARIABLE_CASES: BadInputCase[] = [
  required('IDSYNC_GOOGLE_GROUPS', ['snapshot']),
  required('IDSYNC_GOOGLE_CREDENTIALS', ['snapshot']),
  required('IDSYNC_GOOGLE_SUBJECT', ['snapshot']),
  required('IDSYNC_IDENTITY_STORE_ID', ['snapshot']),
  required('IDSYNC_QUICKSIGHT_ACCOUNT_ID', ['apply']),
  variable('IDSYNC_GOOGLE_GROUPS', 'not-an-email', 'each entry must be an email address'),
  variable('IDSYNC_GOOGLE_GROUPS', ' , ', 'must list at least one group'),
  variable('IDSYNC_GOOGLE_SUBJECT', 'admin', 'must be an email address'),
  variable('IDSYNC_GOOGLE_ROOT_URL', 'javascript:alert(1)', 'must be an http(s) URL', {
    spawn: true,
  }),
  variable('IDSYNC_GOOGLE_ROOT_URL', 'file:///etc/passwd', 'must be an http(s) URL'),
  variable('IDSYNC_GOOGLE_ROOT_URL', 'admin.googleapis.com', 'must be an http(s) URL'),
  variable('IDSYNC_IDENTITY_STORE_ID', 'store', 'must look like d-1234567890'),
  variable('IDSYNC_IDENTITY_STORE_ID', 'd-123', 'must look like d-1234567890'),
  variable('IDSYNC_QUICKSIGHT_ACCOUNT_ID', '1234', 'must be a 12-digit AWS account id'),
  variable('IDSYNC_QUICKSIGHT_ACCOUNT_ID', '12345678901a', 'must be a 12-digit AWS account id'),
  variable('IDSYNC_QUICKSIGHT_NAMESPACE', 'bad namespace!', 'must be a QuickSight namespace name'),
  variable('IDSYNC_QUICKSIGHT_REGION', 'moon', 'must be an AWS region'),
  variable('IDSYNC_TABLE_PREFIX', 'bad prefix', 'may hold only letters, digits'),
  variable('IDSYNC_TABLE_PREFIX', 'a/b', 'may hold only letters, digits'),
  variable('IDSYNC_LOG_LEVEL', 'loud', 'unknown level'),
  variable('IDSYNC_RATE', '1e-9', 'must be a plain decimal number from 0.1 to 1000', {
    spawn: true,
  }),
  variable('IDSYNC_RATE', '0x10', 'must be a plain decimal number'),
  variable('IDSYNC_RATE', 'Infinity', 'must be a plain decimal number'),
  variable('IDSYNC_RATE', 'NaN', 'must be a plain decimal number'),
  variable('IDSYNC_RATE', '0', 'must be from 0.1 to 1000'),
  variable('IDSYNC_RATE', '-1', 'must be from 0.1 to 1000'),
  variable('IDSYNC_RATE', '10000', 'must be from 0.1 to 1000'),
  variable('IDSYNC_RATE', 'fast', 'must be a plain decimal number'),
  variable('IDSYNC_CONCURRENCY', '2.5', 'must be a whole number from 1 to 256'),
  variable('IDSYNC_CONCURRENCY', '0', 'must be from 1 to 256'),
  variable('IDSYNC_CONCURRENCY', '1e2', 'must be a whole number'),
  variable('IDSYNC_CONCURRENCY', '257', 'must be from 1 to 256'),
  variable('IDSYNC_MAX_DELETIONS', '-1', 'must be from 0 to 1000000'),
  variable('IDSYNC_MAX_DELETIONS', '1e3', 'must be a whole number'),
  variable('IDSYNC_MAX_DELETIONS', '0x10', 'must be a whole number'),
  variable('IDSYNC_MAX_DELETIONS', '1.5', 'must be a whole number'),
  variable('IDSYNC_MAX_DELETION_PERCENT', '0', 'must be above 0, at most 100'),
  variable('IDSYNC_MAX_DELETION_PERCENT', '150', 'must be above 0, at most 100'),
  variable('IDSYNC_MAX_DELETION_PERCENT', '1e1', 'must be a plain decimal number'),
  variable('IDSYNC_SNAPSHOT_RETENTION_DAYS', '0', 'must be from 1 to 3650'),
  variable('IDSYNC_SNAPSHOT_RETENTION_DAYS', '3651', 'must be from 1 to 3650'),
  variable('IDSYNC_SNAPSHOT_RETENTION_DAYS', '7d', 'must be a whole number'),
  variable('IDSYNC_READER_PRICE', '-3', 'must be from 0 to 1000'),
  variable('IDSYNC_READER_PRICE', '$3', 'must be a plain decimal number'),
  variable('IDSYNC_READER_PRICE', '3,00', 'must be a plain decimal number'),
  variable('IDSYNC_APPLY', 'maybe', 'must be true or false'),
  variable('IDSYNC_WORKER_QUEUE_URL', 'queue', 'must be an http(s) URL'),
  variable('IDSYNC_WORKER_QUEUE_URL', 'javascript:void(0)', 'must be an http(s) URL'),
  variable('AWS_REGION', 'nowhere', 'must be an AWS region'),
  variable('AWS_REGION', 'US-EAST-1', 'must be an AWS region'),
  {
    id: 'var-aws_access_key_id-without-secret',
    group: 'variable',
    argv: PROBE,
    env: { AWS_SECRET_ACCESS_KEY: '' },
    code: 2,
    message: 'AWS_SECRET_ACCESS_KEY: must be set together with its pair',
  },
  variable('AWS_ENDPOINT_URL', 'localhost', 'must be an http(s) URL'),
  variable('AWS_ENDPOINT_URL_DYNAMODB', '::', 'must be an http(s) URL'),
  variable('AWS_ENDPOINT_URL_IDENTITYSTORE', 'x', 'must be an http(s) URL'),
  variable('AWS_ENDPOINT_URL_QUICKSIGHT', 'ftp://127.0.0.1/', 'must be an http(s) URL'),
  variable('IDSYNC_SANDBOX_CONTROL', 'javascript:1', 'must be an http(s) URL'),
  variable('IDSYNC_CONNECT_TIMEOUT_SECONDS', '0', 'must be from 0.1 to 120'),
  variable('IDSYNC_CONNECT_TIMEOUT_SECONDS', '1e1', 'must be a plain decimal number'),
  variable('IDSYNC_REQUEST_TIMEOUT_SECONDS', '901', 'must be from 0.1 to 900'),
  variable('IDSYNC_REQUEST_TIMEOUT_SECONDS', 'Infinity', 'must be a plain decimal number'),
  // A bad variable on a command that would delete: refused before anything is read or deleted.
  {
    id: 'var-bad-guard-on-remove-apply',
    group: 'variable',
    argv: ['remove', '--csv', '{dir}/leaver.csv', '--apply'],
    env: { IDSYNC_MAX_DELETIONS: '1e3' },
    files: { 'leaver.csv': 'email\n{leaver}\n' },
    code: 2,
    message: 'IDSYNC_MAX_DELETIONS: must be a whole number',
  },
  {
    id: 'var-bad-rate-on-reconcile-apply',
    group: 'variable',
    argv: ['reconcile', '--apply'],
    env: { IDSYNC_RATE: '1e-9' },
    code: 2,
    message: 'IDSYNC_RATE: must be a plain decimal number',
  },
  {
    id: 'var-bad-concurrency-on-handle-event-apply',
    group: 'variable',
    argv: ['handle-event', '{dir}/delete.json', '--apply'],
    env: { IDSYNC_CONCURRENCY: '0x10' },
    files: { 'delete.json': '{leaverEvent}' },
    code: 2,
    message: 'IDSYNC_CONCURRENCY: must be a whole number',
  },
];

const key = (fields: Record<string, unknown>) =>
  JSON.stringify({
    type: 'service_account',
    client_email: 'sa@example.iam.gserviceaccount.com',
    private_key_id: 'k1',
    ...fields,
  });

function keyFile(
  id: string,
  content: string | Uint8Array | undefined,
  message: string,
  path = '{dir}/key.json',
): BadInputCase {
  return {
    id: `key-${id}`,
    group: 'key-file',
    argv: ['snapshot'],
    env: { IDSYNC_GOOGLE_CREDENTIALS: path },
    ...(content === undefined ? {} : { files: { 'key.json': content } }),
    code: 2,
    message: [`idsync: IDSYNC_GOOGLE_CREDENTIALS: the key file ${path}`, message],
  };
}

const PEM_GARBAGE = '-----BEGIN PRIVATE KEY-----\nAAAAnot-a-key\n-----END PRIVATE KEY-----\n';

const KEY_CASES: BadInputCase[] = [
  keyFile('garbage-text', 'hello, world', 'is not valid JSON'),
  keyFile('truncated-json', '{"type": "service_account", "private_k', 'is not valid JSON'),
  keyFile('empty', '', 'is not valid JSON'),
  keyFile('binary', new Uint8Array([0, 159, 146, 150, 255, 1, 2]), 'is not valid JSON'),
  keyFile('json-array', '[]', 'is not a service-account key (type)'),
  keyFile('json-string', '"key"', 'is not a JSON object'),
  keyFile('authorized-user', key({ type: 'authorized_user' }), 'is not a service-account key'),
  keyFile(
    'no-client-email',
    key({ client_email: '', private_key: PEM_GARBAGE }),
    'has no client_email',
  ),
  keyFile('no-private-key', key({}), 'has no PEM private_key'),
  keyFile('private-key-not-pem', key({ private_key: 'abc' }), 'has no PEM private_key'),
  {
    ...keyFile('garbage-pem', key({ private_key: PEM_GARBAGE }), 'not a readable PEM private key'),
    spawn: true,
  },
  keyFile(
    'bad-token-uri',
    key({ private_key: '{pem}', token_uri: 'not a url' }),
    'has an invalid token_uri',
  ),
  {
    ...keyFile('missing-file', undefined, '', '{dir}/nope.json'),
    message: 'IDSYNC_GOOGLE_CREDENTIALS: cannot read the key file {dir}/nope.json (ENOENT)',
  },
  keyFile('folder', undefined, 'is not a regular file', '{dir}'),
  keyFile('device', undefined, 'is not a regular file', '/dev/zero'),
  {
    ...keyFile('below-a-file', undefined, '', '{dir}/key.json/inner.json'),
    message: 'cannot read the key file {dir}/key.json/inner.json (ENOTDIR)',
    files: { 'key.json': '{}' },
  },
];

function arg(
  id: string,
  argv: readonly string[],
  code: number,
  message: BadInputCase['message'],
  extra: Partial<BadInputCase> = {},
): BadInputCase {
  return { id: `arg-${id}`, group: 'argument', argv, code, message, ...extra };
}

const ARGUMENT_CASES: BadInputCase[] = [
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
];

function csv(
  id: string,
  content: string | Uint8Array | undefined,
  code: number,
  message: BadInputCase['message'],
  extra: Partial<BadInputCase> = {},
): BadInputCase {
  return {
    id: `csv-${id}`,
    group: 'csv',
    argv: ['remove', '--csv', '{dir}/input.csv', '--apply'],
    ...(content === undefined ? {} : { files: { 'input.csv': content } }),
    code,
    message,
    ...extra,
  };
}

const CSV_CASES: BadInputCase[] = [
  csv('empty-file', '', 2, 'the CSV is empty: expected a header line with an "email" column'),
  csv('header-only', 'email\n', 0, ['CSV: 0 people', 'applied: 0 deleted']),
  csv('no-email-column', 'name,mail\nx,y@example.com\n', 2, 'email', { spawn: true }),
  csv('semicolons', 'name;email\nx;{leaver}\n', 2, 'email'),
  csv('binary', new Uint8Array([0, 255, 254, 10, 1, 2, 3, 0, 10]), 2, 'the CSV is not valid UTF-8'),
  csv('unterminated-quote', 'email\n"{leaver}\n', 2, 'the CSV could not be read: Quote Not Closed'),
  csv(
    'stray-quote',
    'email\n=HYPERLINK("http://x")\n',
    2,
    'the CSV could not be read: Invalid Opening Quote',
  ),
  csv('only-bad-rows', 'email\nnot-an-email\n@\nalice@\n', 4, 'line 2: not a valid email address'),
  csv('blank-emails', 'email,name\n,a\n ,b\n', 4, 'line 2: the email is empty'),
  csv('unknown-emails', 'email\nghost.one@example.com\nghost.two@example.com\n', 0, [
    'not_found (2)',
    'applied: 0 deleted',
  ]),
  csv(
    'formula-injection',
    'email\n=1+1\n@SUM(A1:A2)\n-2+3\n',
    4,
    'line 2: not a valid email address',
  ),
  csv('missing-file', undefined, 2, 'cannot read {dir}/input.csv: no such file'),
  csv('folder', undefined, 2, 'not a regular file', {
    argv: ['remove', '--csv', '{dir}', '--apply'],
  }),
  csv('device', undefined, 2, 'cannot read /dev/zero: not a regular file', {
    argv: ['remove', '--csv', '/dev/zero', '--apply'],
  }),
];

function event(
  id: string,
  content: string | Uint8Array | undefined,
  code: number,
  message: BadInputCase['message'],
  extra: Partial<BadInputCase> = {},
): BadInputCase {
  return {
    id: `event-${id}`,
    group: 'event',
    argv: ['handle-event', '{dir}/events.json', '--apply'],
    ...(content === undefined ? {} : { files: { 'events.json': content } }),
    code,
    message,
    ...extra,
  };
}

const EVENT_CASES: BadInputCase[] = [
  event('empty-file', '', 0, 'events: 0 (none)'),
  event('not-json', 'this is not json', 4, 'line 1: malformed JSON', { spawn: true }),
  event('truncated-json', '{"version":"0","detail":{"eventName":"Delete', 4, 'malformed JSON'),
  event('number', '42', 4, 'expected a JSON object, got a number'),
  event('array-of-garbage', '[1, "two", null, {}]', 4, [
    'events: 4 (4 rejected)',
    'entry 3 (line 1): expected a JSON object, got null',
  ]),
  event(
    'object-without-detail',
    '{"source":"aws.identitystore"}',
    4,
    'event source null is not Identity Center',
  ),
  event(
    'wrong-event-source',
    '{event:eventSource=evil.example.com}',
    4,
    'event source "evil.example.com" is not Identity Center',
  ),
  event(
    'wrong-event-name',
    '{event:eventName=CreateGroup}',
    4,
    'event "CreateGroup" is not handled',
  ),
  event('missing-user-id', '{event:userId=}', 4, 'no user id in the DeleteUser record'),
  event(
    'malformed-user-id',
    '{event:userId=../../etc}',
    4,
    '"../../etc" is not an Identity Center user id',
  ),
  event(
    'unknown-user-id',
    '{event:userId=00000000-0000-0000-0000-000000000000}',
    4,
    'not in the identity map',
  ),
  event('forged-source', '{event:source=idsync.fake}', 4, 'source', {
    argv: ['handle-event', '{dir}/events.json'],
    knownGap: 'safety (issue 11): only events with an aws.* source act',
  }),
  event('other-account', '{event:account=999999999999}', 4, 'account', {
    argv: ['handle-event', '{dir}/events.json'],
    knownGap: 'safety (issue 11): only events of the configured account act',
  }),
  event(
    'jsonl-with-bad-line',
    '{event:userId=00000000-0000-0000-0000-000000000000}\n{not json\n',
    4,
    ['line 2: malformed JSON', 'not in the identity map'],
  ),
  event(
    'cloudtrail-records-garbage',
    '{"Records": [1, {"eventName": 7}]}',
    4,
    'entry 1 (line 1): expected a JSON object',
  ),
  event(
    'deep-nesting',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    4,
    'expected a JSON object, got an array',
  ),
  event('missing-file', undefined, 2, 'cannot read {dir}/events.json: no such file'),
  event('folder', undefined, 2, 'not a regular file', {
    argv: ['handle-event', '{dir}', '--apply'],
  }),
  event('device', undefined, 2, 'not a regular file', { argv: ['handle-event', '/dev/zero'] }),
];

export const BAD_INPUT_CASES: readonly BadInputCase[] = [
  ...VARIABLE_CASES,
  ...KEY_CASES,
  ...ARGUMENT_CASES,
  ...CSV_CASES,
  ...EVENT_CASES,
];
