import type { NoticeTemplates } from './template-shape.js';

/**
 * The shipped English notice (IDSYNC_NOTICE_LOCALE=en). An operator replaces it with files in
 * IDSYNC_NOTICE_TEMPLATE_DIR (subject.txt, body.txt, body.html; the same placeholders).
 */
export const EN: NoticeTemplates = {
  subject: 'Your Amazon QuickSight access will be removed after {{removalDate}}',
  text: `Hello,

Our records show that you have not used Amazon QuickSight ({{userName}}) since {{lastActive}}.
Unused seats are removed to save licence costs: your QuickSight access will be removed after
{{removalDate}} ({{noticeDays}} days from this notice).

To keep your access, open QuickSight and use any dashboard before {{removalDate}}.
If your access was removed and you need it again, sign in to QuickSight the usual way: a Reader
seat is created for you again on your first sign-in.

Questions: {{contact}}
`,
  html: `<p>Hello,</p>
<p>Our records show that you have not used Amazon QuickSight (<code>{{userName}}</code>) since <strong>{{lastActive}}</strong>.
Unused seats are removed to save licence costs: your QuickSight access will be removed after
<strong>{{removalDate}}</strong> ({{noticeDays}} days from this notice).</p>
<p>To keep your access, open QuickSight and use any dashboard before {{removalDate}}.
If your access was removed and you need it again, sign in to QuickSight the usual way: a Reader
seat is created for you again on your first sign-in.</p>
<p>Questions: {{contact}}</p>
`,
};
