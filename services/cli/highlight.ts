/**
 * Colour for what a person must not miss in a command's result on a terminal: a tripped guard,
 * blocked and failed counts above zero (pure). Applied after the text is escaped
 * (shared/terminal-text.ts), so only these codes reach the terminal; never under NO_COLOR or off
 * a terminal.
 */

const BOLD_RED = '\u001b[1;31m';
const RED = '\u001b[31m';
const RESET = '\u001b[0m';
/** A count above zero as the CLI prints it: `3`, `895`, `1,200`. */
const COUNT = String.raw`[1-9]\d{0,2}(?:,\d{3})*(?!\d|,\d)`;

/** The patterns shown in colour, each with its colour. */
const MARKS: readonly [pattern: RegExp, colour: string][] = [
  [/GUARD TRIPPED[^\n]*/g, BOLD_RED],
  // "blocked 895", "blocked (296)", "failed 3", "failed (2)": a count above zero after the word.
  [new RegExp(String.raw`\b(?:blocked|failed) (?:${COUNT}|\(${COUNT}\))`, 'g'), RED],
  // "3 failed", "296 queued BLOCKED", "12 blocked": a count above zero before the word.
  // Not "9 failed calls": CloudTrail events of calls that failed are noise, not idsync's failures.
  [
    new RegExp(
      String.raw`(?<![\d,.])${COUNT} (?:failed(?! calls?\b)|blocked|queued BLOCKED)\b`,
      'g',
    ),
    RED,
  ],
];

export function highlightResult(text: string): string {
  let out = text;
  for (const [pattern, colour] of MARKS)
    out = out.replace(pattern, (hit) => `${colour}${hit}${RESET}`);
  return out;
}

/** Colour only on a terminal, and never when NO_COLOR is set (no-color.org). */
export function useColour(stream: { isTTY?: boolean }, colourAllowed: boolean): boolean {
  return stream.isTTY === true && colourAllowed;
}
