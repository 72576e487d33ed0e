import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { printResult } from '../../../services/cli/command-context.js';
import { preloadConfig } from '../../../services/cli/lazy-config.js';

/** printResult colours what must not be missed on a terminal only, and never under NO_COLOR. */

function terminal(isTTY: boolean) {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

const RESULT = 'decisions: delete 0, blocked 895\nGUARD TRIPPED: nothing will be deleted.';
const ESC = String.fromCharCode(27);

beforeAll(async () => {
  await preloadConfig();
});

describe('printResult colour', () => {
  it('colours a tripped guard and a blocked count on a terminal', () => {
    const out = terminal(true);
    printResult({ stdout: out.stream, stderr: out.stream, env: {} }, {}, {}, RESULT);
    expect(out.text()).toContain(`${ESC}[1;31mGUARD TRIPPED`);
    expect(out.text()).toContain(`${ESC}[31mblocked 895${ESC}[0m`);
  });

  it('writes plain text under NO_COLOR, off a terminal, and with --json', () => {
    for (const [isTTY, env, json] of [
      [true, { NO_COLOR: '1' }, false],
      [false, {}, false],
      [true, {}, true],
    ] as const) {
      const out = terminal(isTTY);
      printResult({ stdout: out.stream, stderr: out.stream, env }, { json }, { r: 1 }, RESULT);
      expect(out.text()).not.toContain(ESC);
    }
  });
});
