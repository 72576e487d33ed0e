import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeJsonText, escapeTerminalText } from '../../shared/terminal-text.js';

/** Every character the terminal must never receive raw (shared/terminal-text.ts). */
const UNSAFE: number[] = [
  ...Array.from({ length: 0x20 }, (_, i) => i).filter((c) => c !== 0x09 && c !== 0x0a),
  ...Array.from({ length: 0xa0 - 0x7f }, (_, i) => 0x7f + i),
  0x061c,
  0x200e,
  0x200f,
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e,
  0x2066,
  0x2067,
  0x2068,
  0x2069,
];
const unsafeSet = new Set(UNSAFE);
const hasUnsafe = (s: string) => [...s].some((ch) => unsafeSet.has(ch.codePointAt(0) ?? -1));

const anyText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(...UNSAFE.map((c) => String.fromCharCode(c))),
    fc.constantFrom('\n', '\t', '\\', 'x', 'é', '山', '😀', '\u200B', '\u2065', '\u206A', '\u202F'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
});

describe('escapeTerminalText', () => {
  it('shows each unsafe character escaped, at the boundaries of every range', () => {
    expect(escapeTerminalText('\u0000')).toBe('\\x00');
    expect(escapeTerminalText('\u0008\u000B')).toBe('\\x08\\x0B');
    expect(escapeTerminalText('a\u001b[31mred')).toBe('a\\x1B[31mred');
    expect(escapeTerminalText('\u001F\u007F\u0080\u009F')).toBe('\\x1F\\x7F\\x80\\x9F');
    expect(escapeTerminalText('evil\u202Egnp.exe')).toBe('evil\\u202Egnp.exe');
    expect(escapeTerminalText('\u061C\u200E\u200F\u202A\u2066\u2069')).toBe(
      '\\u061C\\u200E\\u200F\\u202A\\u2066\\u2069',
    );
    // Just outside the ranges: unchanged.
    expect(escapeTerminalText(' ~\u00A0\u200D\u2010\u2029\u202F\u2065\u206A')).toBe(
      ' ~\u00A0\u200D\u2010\u2029\u202F\u2065\u206A',
    );
    expect(escapeTerminalText('line 1\n\tline 2')).toBe('line 1\n\tline 2');
  });

  it('never lets an unsafe character through, and leaves text without one unchanged', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const out = escapeTerminalText(s);
        expect(hasUnsafe(out)).toBe(false);
        if (!hasUnsafe(s)) expect(out).toBe(s);
        // Each unsafe character becomes exactly one escape; nothing else moves.
        const stripped = out.replace(/\\x[0-9A-F]{2}|\\u[0-9A-F]{4}/g, '');
        expect(stripped.length).toBeLessThanOrEqual(s.length);
      }),
      { numRuns: 500 },
    );
  });

  it('printable text is unchanged (any string without those characters)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        fc.pre(!hasUnsafe(s));
        expect(escapeTerminalText(s)).toBe(s);
      }),
    );
  });
});

describe('escapeJsonText', () => {
  it('keeps the JSON value and leaves no unsafe character in the text', () => {
    fc.assert(
      fc.property(fc.dictionary(anyText, anyText), (value) => {
        const json = escapeJsonText(JSON.stringify(value, null, 2));
        expect(hasUnsafe(json.replace(/\n/g, ''))).toBe(false);
        expect(JSON.parse(json)).toEqual(value);
      }),
      { numRuns: 300 },
    );
    expect(escapeJsonText(JSON.stringify({ n: 'a\u202Eb\u007F' }))).toBe(
      '{"n":"a\\u202Eb\\u007F"}',
    );
  });
});
