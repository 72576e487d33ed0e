import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../shared/errors.js';
import { escapeHtml } from '../../shared/escape-html.js';
import { EN } from './templates/en.js';
import { JA } from './templates/ja.js';
import type { NoticeTemplates } from './templates/template-shape.js';

/**
 * The notice's text: a subject, a plain-text body and an HTML body, with `{{placeholder}}`s.
 * The shipped ones (./templates/en.ts, ./templates/ja.ts) or an operator's files
 * (IDSYNC_NOTICE_TEMPLATE_DIR: subject.txt, body.txt, body.html). Values are escaped in HTML;
 * an unknown placeholder, a missing or oversized file or a multi-line subject is a
 * configuration error (exit 2) before anything is sent.
 */

export type { NoticeTemplates };

export const NOTICE_PLACEHOLDERS = [
  'userName',
  'email',
  'lastActive',
  'removalDate',
  'noticeDays',
  'contact',
] as const;
export type NoticeValues = Readonly<Record<(typeof NOTICE_PLACEHOLDERS)[number], string>>;

const FILES = { subject: 'subject.txt', text: 'body.txt', html: 'body.html' } as const;
/** Far more than any notice needs; SES takes at most 10 MB per message. */
const MAX_TEMPLATE_BYTES = 64 * 1024;
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const VARIABLE = 'IDSYNC_NOTICE_TEMPLATE_DIR';

export const SHIPPED_TEMPLATES: Readonly<Record<'en' | 'ja', NoticeTemplates>> = { en: EN, ja: JA };

/** Why a template is unusable, or undefined. */
export function templateProblem(name: string, template: string): string | undefined {
  if (template.trim() === '') return `${name} is empty`;
  if (name === FILES.subject && /[\r\n]/.test(template.trim())) return `${name} must be one line`;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const key = m[1] ?? '';
    if (!(NOTICE_PLACEHOLDERS as readonly string[]).includes(key))
      return `${name} uses {{${key}}}: the placeholders are ${NOTICE_PLACEHOLDERS.join(', ')}`;
  }
  return undefined;
}

/** The shipped templates of `locale`, or the operator's from `dir` (checked). */
export async function loadTemplates(
  locale: 'en' | 'ja',
  dir: string | undefined,
): Promise<NoticeTemplates> {
  if (dir === undefined) return SHIPPED_TEMPLATES[locale];
  const read = async (name: string): Promise<string> => {
    let data: Buffer;
    try {
      data = await readFile(join(dir, name));
    } catch (error) {
      throw new ConfigError(
        VARIABLE,
        `cannot read ${name} in ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    if (data.length > MAX_TEMPLATE_BYTES)
      throw new ConfigError(VARIABLE, `${name} is larger than ${MAX_TEMPLATE_BYTES} bytes`);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(data).replace(/^\uFEFF/, '');
    if (text.includes('\uFFFD')) throw new ConfigError(VARIABLE, `${name} is not UTF-8 text`);
    const problem = templateProblem(name, text);
    if (problem) throw new ConfigError(VARIABLE, problem);
    return text;
  };
  return {
    subject: (await read(FILES.subject)).trim(),
    text: await read(FILES.text),
    html: await read(FILES.html),
  };
}

/** The notice of one user: placeholders filled, HTML-escaped in the HTML body. */
export function renderNotice(templates: NoticeTemplates, values: NoticeValues): NoticeTemplates {
  const fill = (template: string, encode: (v: string) => string) =>
    template.replace(PLACEHOLDER, (_, key: string) =>
      encode(values[key as keyof NoticeValues] ?? ''),
    );
  const plain = (v: string) => v.replace(/[\r\n]+/g, ' ');
  return {
    subject: fill(templates.subject, plain),
    text: fill(templates.text, (v) => v),
    html: fill(templates.html, escapeHtml),
  };
}
