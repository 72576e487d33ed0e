import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadTemplates,
  NOTICE_PLACEHOLDERS,
  renderNotice,
  SHIPPED_TEMPLATES,
  templateProblem,
} from '../../../services/notices/notice-template.js';

/** The notice's templates (services/notices/notice-template.ts): shipped, operator files, rendering. */

const VALUES = {
  userName: 'AWSReservedSSO_QuickSightReader_x/a@example.com',
  email: 'a@example.com',
  lastActive: '2026-09-01',
  removalDate: '2026-12-21',
  noticeDays: '14',
  contact: 'IT <it@example.com>',
};

describe('notice templates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idsync-notice-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['en', 'ja'] as const)(
    'the shipped %s notice names the last activity, removal date, how to keep access and whom to ask',
    (locale) => {
      const t = SHIPPED_TEMPLATES[locale];
      for (const [name, text] of Object.entries({
        'subject.txt': t.subject,
        'body.txt': t.text,
        'body.html': t.html,
      }))
        expect(templateProblem(name, text)).toBeUndefined();
      const out = renderNotice(t, VALUES);
      for (const body of [out.text, out.html]) {
        expect(body).toContain('2026-09-01');
        expect(body).toContain('2026-12-21');
        expect(body).toContain('QuickSight');
      }
      expect(out.text).toContain('IT <it@example.com>');
      expect(out.subject).toContain('2026-12-21');
    },
  );

  it('escapes values in the HTML body only', () => {
    const out = renderNotice(
      { subject: 'S {{contact}}', text: 'T {{contact}}', html: '<p>{{contact}}</p>' },
      { ...VALUES, contact: '<script>x</script> & "q"' },
    );
    expect(out.html).toBe('<p>&lt;script&gt;x&lt;/script&gt; &amp; &quot;q&quot;</p>');
    expect(out.text).toBe('T <script>x</script> & "q"');
  });

  it('keeps the subject on one line whatever a value holds', () => {
    const out = renderNotice(
      { subject: 'S {{contact}}', text: 't', html: 'h' },
      { ...VALUES, contact: 'a\r\nBcc: x@evil.example' },
    );
    expect(out.subject).toBe('S a Bcc: x@evil.example');
  });

  it('knows exactly its placeholders', () => {
    expect(
      templateProblem('body.txt', NOTICE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ')),
    ).toBeUndefined();
    expect(templateProblem('body.txt', 'Hi {{ name }}')).toMatch(/uses \{\{name\}\}/);
  });

  it("reads an operator's folder, BOM and all; refuses a missing file as a configuration error", async () => {
    writeFileSync(join(dir, 'subject.txt'), '\uFEFFEnds {{removalDate}}\n');
    writeFileSync(join(dir, 'body.txt'), 'Last {{lastActive}}');
    await expect(loadTemplates('en', dir)).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringContaining('cannot read body.html'),
    });
    writeFileSync(join(dir, 'body.html'), '<p>{{lastActive}}</p>');
    expect(await loadTemplates('en', dir)).toEqual({
      subject: 'Ends {{removalDate}}',
      text: 'Last {{lastActive}}',
      html: '<p>{{lastActive}}</p>',
    });
  });
});
