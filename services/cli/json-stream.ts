import type { Writable } from 'node:stream';
import { escapeJsonText } from '../../shared/terminal-text.js';

/**
 * `--json` output written as it is made: the same text as `JSON.stringify(value, null, 2)` (then
 * terminal-escaped, as printResult does), but long arrays are stringified an element at a time
 * and the text goes out in chunks of about CHUNK_CHARS with back-pressure, so a plan of 300,000
 * decisions never exists as one 65 MB string. Small values come out byte for byte as before.
 */

/** Characters gathered before a write to the stream. */
const CHUNK_CHARS = 64 * 1024;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return (
    (proto === Object.prototype || proto === null) &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}

/** The pieces of `JSON.stringify(value, null, 2)` for a value nested at `indent`. */
export function* jsonPieces(value: unknown, indent = ''): Generator<string> {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i === 0 ? '' : ','}\n${inner}`;
      const element = value[i];
      const text = leafOrUndefined(element);
      if (text === undefined) yield 'null';
      else if (text === NESTED) yield* jsonPieces(element, inner);
      else yield text.replaceAll('\n', `\n${inner}`);
    }
    yield `\n${indent}]`;
    return;
  }
  if (isPlainObject(value)) {
    let first = true;
    for (const [key, element] of Object.entries(value)) {
      const text = leafOrUndefined(element);
      if (text === undefined) continue;
      yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
      first = false;
      if (text === NESTED) yield* jsonPieces(element, inner);
      else yield text.replaceAll('\n', `\n${inner}`);
    }
    yield first ? '{}' : `\n${indent}}`;
    return;
  }
  yield JSON.stringify(value, null, 2) ?? 'null';
}

const NESTED = Symbol('nested');

/** A value's own text, NESTED for arrays and plain objects (walked), undefined when omitted. */
function leafOrUndefined(value: unknown): string | typeof NESTED | undefined {
  if (Array.isArray(value) || isPlainObject(value)) return NESTED;
  return JSON.stringify(value, null, 2);
}

/** Writes `value` as printResult's `--json` text, a chunk at a time, waiting for 'drain'. */
export async function writeJsonStreamed(stream: Writable, value: unknown): Promise<void> {
  let chunk = '';
  const send = async (text: string) => {
    if (!stream.write(escapeJsonText(text)))
      await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
  };
  for (const piece of jsonPieces(value)) {
    chunk += piece;
    if (chunk.length >= CHUNK_CHARS) {
      await send(chunk);
      chunk = '';
    }
  }
  await send(`${chunk}\n`);
}
