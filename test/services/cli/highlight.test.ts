import { describe, expect, it } from 'vitest';
import { highlightResult, useColour } from '../../../services/cli/highlight.js';

const RED = '\u001b[31m';
const BOLD_RED = '\u001b[1;31m';
const RESET = '\u001b[0m';

describe('highlightResult', () => {
  it('colours a tripped guard, and blocked and failed counts above zero', () => {
    expect(highlightResult('GUARD TRIPPED: nothing will be deleted.')).toBe(
      `${BOLD_RED}GUARD TRIPPED: nothing will be deleted.${RESET}`,
    );
    expect(highlightResult('decisions: delete 0, blocked 895, invalid 0')).toBe(
      `decisions: delete 0, ${RED}blocked 895${RESET}, invalid 0`,
    );
    expect(highlightResult('blocked (296)')).toBe(`${RED}blocked (296)${RESET}`);
    expect(highlightResult('applied: 5 deleted, 0 already gone, 3 failed')).toBe(
      `applied: 5 deleted, 0 already gone, ${RED}3 failed${RESET}`,
    );
    expect(highlightResult('tasks: 1,200 queued BLOCKED')).toBe(
      `tasks: ${RED}1,200 queued BLOCKED${RESET}`,
    );
  });

  it('leaves zero counts and other text alone', () => {
    const plain =
      'decisions: delete 10, blocked 0, invalid 0\napplied: 10 deleted, 0 failed\nthrottled 0 | failed 0';
    expect(highlightResult(plain)).toBe(plain);
    expect(highlightResult('12.5 failed')).toBe('12.5 failed');
    const noise = "not anyone's use: 9 failed calls, 1 failed call";
    expect(highlightResult(noise)).toBe(noise);
  });

  it('colours only on a terminal and when colour is allowed (NO_COLOR unset)', () => {
    expect(useColour({ isTTY: true }, true)).toBe(true);
    expect(useColour({ isTTY: true }, false)).toBe(false);
    expect(useColour({ isTTY: false }, true)).toBe(false);
    expect(useColour({}, true)).toBe(false);
  });
});
