import { escapeTerminalText } from './terminal-text.js';

/**
 * HTML escaping for every page idsync writes (the audit report, the review's report, the notice
 * e-mails): values are data, and neither a bidi control (U+202E…) nor a control character can
 * reorder or hide the page's text.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text safe in HTML content and in quoted attribute values; bidi and control characters are
 * shown escaped (`\u202E`, shared/terminal-text.ts) so they cannot reorder what is around them.
 */
export function escapeHtml(value: unknown): string {
  return escapeTerminalText(String(value ?? '')).replace(/[&<>"']/g, (ch) => ESCAPES[ch] as string);
}
