import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonPieces, writeJsonStreamed } from '../../../services/cli/json-stream.js';
import { escapeJsonText } from '../../../shared/terminal-text.js';

/** What printResult writes for `--json`: the text streamed output must equal. */
const printed = (value: unknown) => `${escapeJsonText(JSON.stringify(value, null, 2))}\n`;

/** A stream that takes `highWaterMark` bytes before asking the writer to wait for 'drain'. */
function slowSink(highWaterMark: number) {
  const chunks: string[] = [];
  let waits = 0;
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      setImmediate(done);
    },
  });
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string) => {
    const ok = write(chunk);
    if (!ok) waits++;
    return ok;
  }) as typeof stream.write;
  return { stream, text: () => chunks.join(''), waits: () => waits };
}

describe('writeJsonStreamed', () => {
  it('writes the same text as JSON.stringify(value, null, 2) for any JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(`${[...jsonPieces(value)].join('')}`).toBe(JSON.stringify(value, null, 2));
      }),
      { numRuns: 500 },
    );
  });

  it('treats undefined, Dates and class instances as JSON.stringify does', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const value = {
      a: undefined,
      when: new Date('2026-12-07T10:00:00.000Z'),
      list: [undefined, () => 1, new Point(1, 2), new Map([['k', 1]])],
      empty: { list: [], object: {} },
      text: 'line\nbreak "quoted" \u202e',
    };
    expect([...jsonPieces(value)].join('')).toBe(JSON.stringify(value, null, 2));
  });

  it('streams a 50,000-decision plan in chunks, waiting for the stream, with printResult’s text', async () => {
    const decisions = Array.from({ length: 50_000 }, (_, i) => ({
      email: `person${i}@example.com`,
      source: 'csv',
      sources: ['csv'],
      decision: 'not_found',
      reason: `no QuickSight user for person${i}@example.com; listed in the CSV (CSV line ${i + 2}) \u202e`,
    }));
    const value = { csv: { people: 50_000, errors: [] }, plan: { plan: { decisions } } };
    const sink = slowSink(16 * 1024);
    await writeJsonStreamed(sink.stream, value);
    await new Promise<void>((resolve) => sink.stream.end(resolve));
    expect(sink.text()).toBe(printed(value));
    expect(sink.waits()).toBeGreaterThan(10);
    expect(JSON.parse(sink.text()).plan.plan.decisions).toHaveLength(50_000);
  });
});
