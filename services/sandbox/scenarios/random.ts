/**
 * A small seeded PRNG (mulberry32) and helpers over it, so sandbox scenarios are deterministic by
 * seed. Not for anything secret. Every helper takes the generator as a plain `() => number`
 * (uniform in [0, 1)), the same shape the fault injector and the retry jitter accept.
 */
export type Random = () => number;

/** mulberry32: a 32-bit state generator; the same seed always yields the same sequence. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, maxExclusive). */
export function randomInt(random: Random, maxExclusive: number): number {
  return Math.floor(random() * maxExclusive);
}

export function pick<T>(random: Random, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick from an empty list');
  return items[randomInt(random, items.length)] as T;
}

/** A shuffled copy (Fisher–Yates). */
export function shuffle<T>(random: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** `count` distinct items in random order; throws when there are fewer. */
export function sample<T>(random: Random, items: readonly T[], count: number): T[] {
  if (count > items.length) throw new RangeError(`cannot sample ${count} of ${items.length} items`);
  return shuffle(random, items).slice(0, count);
}

export function randomChars(random: Random, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(random, alphabet.length)];
  return out;
}

/** `length` lower-case hex digits, 8 per draw. */
export function randomHex(random: Random, length: number): string {
  let out = '';
  while (out.length < length)
    out += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, length);
}

/** `length` decimal digits, 9 per draw. */
export function randomDigits(random: Random, length: number): string {
  let out = '';
  while (out.length < length)
    out += Math.floor(random() * 1e9)
      .toString()
      .padStart(9, '0');
  return out.slice(0, length);
}

/** An RFC 4122 version-4 UUID drawn from the generator. */
export function randomUuid(random: Random): string {
  const h = randomHex(random, 32);
  const variant = '89ab'[Number.parseInt(h.charAt(16), 16) & 3];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
}
