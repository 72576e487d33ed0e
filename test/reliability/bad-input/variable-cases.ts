import type { BadInputCase } from './case-types.js';

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

export const VARIABLE_CASES: BadInputCase[] = [
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
