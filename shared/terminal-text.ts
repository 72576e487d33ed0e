/**
 * Text from outside (names, emails, reasons, file content, error messages) made safe to show in a
 * terminal: characters that reorder the line (bidi controls) or drive the terminal (C0 and C1
 * controls, DEL: escape sequences such as ESC [) are shown escaped, visibly, instead of acting.
 * Newline and tab are kept; every other character, backslash included, is unchanged. Pure.
 */

/**
 * The characters a terminal must never receive raw: C0 controls except tab and newline, DEL, C1
 * controls, and the bidi controls (ALM U+061C, LRM/RLM U+200E–U+200F, embeddings and overrides
 * U+202A–U+202E, isolates U+2066–U+2069).
 */
export const UNSAFE_TERMINAL_CHARS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it matches
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

const hex = (code: number, digits: number) => code.toString(16).toUpperCase().padStart(digits, '0');

/** One unsafe character as visible text: `\x1B` below U+0100, `\u202E` above. */
function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
}

/** `text` with every unsafe terminal character escaped (`\x1B`, `\u202E`); the rest unchanged. */
export function escapeTerminalText(text: string): string {
  return text.replace(UNSAFE_TERMINAL_CHARS, visible);
}

/**
 * JSON text with the unsafe characters JSON.stringify leaves raw (DEL, C1, bidi controls) written
 * as JSON `\uXXXX` escapes: the same JSON value, safe on a terminal. JSON.stringify already
 * escapes C0 controls, and these characters can only occur inside strings.
 */
export function escapeJsonText(json: string): string {
  return json.replace(UNSAFE_TERMINAL_CHARS, (ch) => `\\u${hex(ch.charCodeAt(0), 4)}`);
}
