import type { BadInputCase } from './case-types.js';

/**
 * Notices (services/notices/): a bad From address, notice days or locale, and operator template
 * files that cannot be used (IDSYNC_NOTICE_TEMPLATE_DIR: missing, unknown placeholder, a subject
 * on two lines, not UTF-8, oversized) — each exit 2 naming the variable before anything is read,
 * sent or deleted; `notices resolve` without a clear answer or for nobody.
 */

const FROM = { IDSYNC_NOTICE_FROM: 'idsync@example.com' };
const GOOD = {
  'subject.txt': 'Your access ends {{removalDate}}',
  'body.txt': 'Last active {{lastActive}}. Ask {{contact}}.',
  'body.html': '<p>Last active {{lastActive}}. Ask {{contact}}.</p>',
};

function template(
  id: string,
  files: Record<string, string | Uint8Array>,
  message: string,
): BadInputCase {
  return {
    id: `notice-template-${id}`,
    group: 'variable',
    argv: ['inactive', '--apply'],
    env: { ...FROM, IDSYNC_NOTICE_TEMPLATE_DIR: '{dir}' },
    files,
    code: 2,
    message: `IDSYNC_NOTICE_TEMPLATE_DIR: ${message}`,
  };
}

function variable(name: string, value: string, message: string): BadInputCase {
  return {
    id: `var-${name.toLowerCase()}-${value.replace(/[^a-z0-9]/gi, 'x')}`,
    group: 'variable',
    argv: ['inactive', '--apply'],
    env: { ...FROM, [name]: value },
    code: 2,
    message: `${name}: ${message}`,
  };
}

const { 'body.html': _html, ...noHtml } = GOOD;

export const NOTICE_CASES: BadInputCase[] = [
  variable('IDSYNC_NOTICE_FROM', 'idsync', 'must be an email address'),
  variable('IDSYNC_NOTICE_FROM', 'a@b@example.com', 'must be an email address'),
  variable('IDSYNC_NOTICE_FROM', '<script>@example.com', 'must be an email address'),
  variable('IDSYNC_NOTICE_DAYS', '91', 'must be'),
  variable('IDSYNC_NOTICE_DAYS', '1e1', 'must be'),
  variable('IDSYNC_NOTICE_LOCALE', 'fr', ''),
  template('missing-file', noHtml, 'cannot read body.html'),
  template(
    'unknown-placeholder',
    { ...GOOD, 'body.txt': 'Hello {{name}}' },
    'body.txt uses {{name}}',
  ),
  template(
    'subject-two-lines',
    { ...GOOD, 'subject.txt': 'one\ntwo' },
    'subject.txt must be one line',
  ),
  template(
    'not-utf8',
    { ...GOOD, 'body.html': Uint8Array.from([0x3c, 0x70, 0x3e, 0xff, 0xfe, 0x80]) },
    'body.html is not UTF-8 text',
  ),
  template('oversized', { ...GOOD, 'body.txt': 'x'.repeat(70_000) }, 'body.txt is larger than'),
  template('empty-body', { ...GOOD, 'body.txt': '  \n' }, 'body.txt is empty'),
  {
    id: 'arg-notices-resolve-no-answer',
    group: 'argument',
    argv: ['notices', 'resolve', 'r/a@example.com'],
    code: 2,
    message: 'give exactly one of --sent or --resend',
  },
  {
    id: 'arg-notices-resolve-nobody',
    group: 'argument',
    argv: ['notices', 'resolve', 'r/nobody@example.com', '--resend'],
    code: 2,
    message: 'no notice of r/nobody@example.com is waiting to be resolved',
  },
  {
    id: 'arg-notices-resolve-unknown-scope',
    group: 'argument',
    argv: ['notices', 'resolve', 'r/a@example.com', '--resend', '--scope', '999999999999/default'],
    code: 2,
    message: '--scope 999999999999/default is none of the configured scopes',
  },
];
