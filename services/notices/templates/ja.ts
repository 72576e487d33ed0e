import type { NoticeTemplates } from './template-shape.js';

/**
 * The shipped Japanese notice (IDSYNC_NOTICE_LOCALE=ja). An operator replaces it with files in
 * IDSYNC_NOTICE_TEMPLATE_DIR (subject.txt, body.txt, body.html; the same placeholders).
 */
export const JA: NoticeTemplates = {
  subject: 'Amazon QuickSight の利用権限は {{removalDate}} 以降に削除されます',
  text: `お疲れさまです。

記録によると、あなたは {{lastActive}} 以降 Amazon QuickSight ({{userName}}) を利用していません。
ライセンス費用削減のため、利用のないアカウントは削除されます。あなたの QuickSight の利用権限は
{{removalDate}} 以降に削除されます（この通知から {{noticeDays}} 日後）。

利用を続ける場合は、{{removalDate}} より前に QuickSight を開き、いずれかのダッシュボードを表示してください。
削除された後に再び必要になった場合は、いつもの方法で QuickSight にサインインしてください。
最初のサインインで Reader の権限が再び作成されます。

お問い合わせ先: {{contact}}
`,
  html: `<p>お疲れさまです。</p>
<p>記録によると、あなたは <strong>{{lastActive}}</strong> 以降 Amazon QuickSight (<code>{{userName}}</code>) を利用していません。
ライセンス費用削減のため、利用のないアカウントは削除されます。あなたの QuickSight の利用権限は
<strong>{{removalDate}}</strong> 以降に削除されます（この通知から {{noticeDays}} 日後）。</p>
<p>利用を続ける場合は、{{removalDate}} より前に QuickSight を開き、いずれかのダッシュボードを表示してください。
削除された後に再び必要になった場合は、いつもの方法で QuickSight にサインインしてください。
最初のサインインで Reader の権限が再び作成されます。</p>
<p>お問い合わせ先: {{contact}}</p>
`,
};
