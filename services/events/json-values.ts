/**
 * Splits operator input into JSON values: one value, a top-level array (its elements), JSON
 * lines, or pretty-printed values one after another (`jq` output). Blank lines are ignored. A
 * piece that is not valid JSON becomes an error naming its line; it never stops the others.
 */

export type JsonValue =
  | { readonly ok: true; readonly value: unknown; readonly line: number; readonly index?: number }
  | { readonly ok: false; readonly line: number; readonly reason: string; readonly raw: string };

const MAX_RAW_LENGTH = 300;

export function readJsonValues(text: string): JsonValue[] {
  const input = text.replace(/^\uFEFF/, '');
  if (input.trim().length === 0) return [];
  const whole = tryParse(input);
  if (whole.ok) return expandArray(whole.value, lineOfFirstContent(input));
  const lines = input.split(/\r?\n/);
  const looksLikeJsonLines = lines.every((l) => l.trim() === '' || /^\s*[[{]/.test(l));
  if (looksLikeJsonLines) {
    return lines.flatMap((line, i) => (line.trim() === '' ? [] : parsePiece(line, i + 1)));
  }
  return splitTopLevel(input).flatMap((piece) =>
    piece.truncated
      ? [failure(piece.line, 'truncated JSON: the input ends inside this value', piece.text)]
      : parsePiece(piece.text, piece.line),
  );
}

function parsePiece(text: string, line: number): JsonValue[] {
  const parsed = tryParse(text);
  if (!parsed.ok) return [failure(line, `malformed JSON (${parsed.message})`, text)];
  return expandArray(parsed.value, line);
}

function expandArray(value: unknown, line: number): JsonValue[] {
  if (!Array.isArray(value)) return [{ ok: true, value, line }];
  return value.map((element, index) => ({ ok: true, value: element, line, index }));
}

function failure(line: number, reason: string, text: string): JsonValue {
  return { ok: false, line, reason, raw: truncateRaw(text.trim()) };
}

/** At most MAX_RAW_LENGTH characters of a piece of input, for error reports. */
export function truncateRaw(text: string): string {
  return text.length > MAX_RAW_LENGTH ? `${text.slice(0, MAX_RAW_LENGTH - 3)}...` : text;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function lineOfFirstContent(text: string): number {
  const firstContent = text.search(/\S/);
  return countNewlines(text, 0, firstContent) + 1;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) count++;
  return count;
}

interface Piece {
  readonly text: string;
  readonly line: number;
  readonly truncated: boolean;
}

/**
 * Cuts text into top-level values by bracket depth (strings and escapes respected). Anything
 * outside a value up to the end of its line becomes a piece of its own, so it is reported.
 */
function splitTopLevel(text: string): Piece[] {
  const pieces: Piece[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (ch === undefined || /\s/.test(ch)) {
      i++;
      continue;
    }
    const end = ch === '{' || ch === '[' ? endOfValue(text, i) : endOfLine(text, i);
    const piece = text.slice(i, end < 0 ? text.length : end);
    pieces.push({ text: piece, line, truncated: end < 0 });
    line += countNewlines(piece, 0, piece.length);
    i = end < 0 ? text.length : end;
  }
  return pieces;
}

/** Index just past the bracket closing the value that opens at `start`, or -1 when it never closes. */
function endOfValue(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function endOfLine(text: string, start: number): number {
  const newline = text.indexOf('\n', start);
  return newline < 0 ? text.length : newline;
}
