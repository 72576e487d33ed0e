import iconv from 'iconv-lite';
import { type BadInputCase, REFUSED_EMAIL_USERS } from './case-types.js';

/** Input files: Google keys, CSV files for `remove --csv`, event files for `handle-event`. */

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

export const KEY_CASES: BadInputCase[] = [
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

export const CSV_CASES: BadInputCase[] = [
  csv('empty-file', '', 2, 'the CSV is empty: expected a header line with an "email" column'),
  csv('header-only', 'email\n', 0, ['CSV: 0 people', 'applied: 0 deleted']),
  csv('no-email-column', 'name,mail\nx,y@example.com\n', 2, 'email', { spawn: true }),
  csv('semicolons', 'name;email\nx;{leaver}\n', 2, 'email'),
  csv('binary', new Uint8Array([0, 255, 254, 10, 1, 2, 3, 0, 10]), 2, 'the CSV holds NUL bytes'),
  // Encodings (shared/csv-encoding.ts): anything but UTF-8, UTF-16 with a BOM and CP932 is
  // refused naming those; a CP932 file's bad rows are rows like any other.
  csv(
    'neither-utf8-nor-cp932',
    new Uint8Array([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x0a, 0xff, 0xfd, 0x0a]),
    2,
    ['the CSV is neither UTF-8, UTF-16 nor Shift_JIS', '"CSV UTF-8"', '"Unicode text"'],
    { spawn: true },
  ),
  csv(
    'utf16-without-bom',
    new Uint8Array(iconv.encode('email\nx@example.com\n', 'utf-16le')),
    2,
    'the CSV holds NUL bytes (UTF-16 without a BOM',
  ),
  csv(
    'utf16-odd-length',
    new Uint8Array([...iconv.encode('email\n', 'utf-16le', { addBOM: true }), 0x41]),
    2,
    'the CSV was read as UTF-16 LE but holds bytes that are not',
  ),
  csv(
    'cp932-bad-row',
    new Uint8Array(iconv.encode('氏名,email\r\n山田太郎,山田\r\n', 'cp932')),
    4,
    ['read input.csv as Shift_JIS (CP932)', 'line 2: not a valid email address (read as "山田")'],
  ),
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
  // Values checked at the door: zero-width, bidi-override and oversized cells are line errors.
  csv(
    'zero-width-space',
    'email\n{leaver}\u200b\n',
    4,
    'line 2: email contains the invisible or control character U+200B',
  ),
  csv(
    'bidi-override',
    'email\n\u202e{leaver}\n',
    4,
    'line 2: email contains the invisible or control character U+202E',
  ),
  csv(
    '300-character-email',
    `email\n${'a'.repeat(288)}@example.com\n`,
    4,
    'line 2: email is 300 characters long (at most 254)',
  ),
  csv('unknown-identity-type', 'email\nodd-type@example.com\n', 4, [
    'unknown identity type "SAML_FEDERATED": never deleted',
    'applied: 0 deleted',
  ]),
  csv(
    'empty-identity-type',
    'email\nempty-type@example.com\n',
    4,
    'unknown identity type "": never deleted',
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

export const EVENT_CASES: BadInputCase[] = [
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
    argv: ['handle-event', '{dir}/events.json', '--apply'],
  }),
  event(
    'other-account',
    '{event:account=999999999999}',
    4,
    ['ignored: foreign event', 'envelope account "999999999999" is not the IdC account'],
    {
      argv: ['handle-event', '{dir}/events.json', '--apply'],
    },
  ),
  event(
    'event-id-129-characters',
    `{event:eventID=${'e'.repeat(129)}}`,
    4,
    'line 1: event id is 129 characters long (at most 128)',
  ),
  event(
    'event-id-bidi-override',
    '{event:eventID=abc\u202edef}',
    4,
    'line 1: event id contains the invisible or control character U+202E',
  ),
  event('envelope-source-my-app', '{event:source=my.app}', 4, [
    'ignored: foreign event',
    'envelope source "my.app" is not aws.identitystore-scim',
  ]),
  event('other-identity-store', '{event:identityStoreId=d-0000000000}', 4, [
    'ignored: foreign event',
    'identity store d-0000000000 is not d-',
  ]),
  event('delete-of-live-user', '{event:userId={liveUser}}', 4, [
    'IdC user still exists: event not confirmed; nothing deleted',
  ]),
  // A user the snapshot stored without its refused email (REFUSED_EMAIL_USERS): no one to delete.
  ...Object.keys(REFUSED_EMAIL_USERS).map((userId, i) =>
    event(`delete-of-user-with-refused-email-${i + 1}`, `{event:userId=${userId}}`, 4, [
      'the identity map has no email for this user; nothing deleted',
    ]),
  ),
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
