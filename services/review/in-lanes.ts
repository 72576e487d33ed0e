/** Tasks written or moved at once by a review step. */
export const REVIEW_LANES = 16;

/** Runs `fn` over `items`, `lanes` at a time; resolves when all are done (the first error rejects). */
export async function inLanes<T>(
  items: readonly T[],
  fn: (item: T) => Promise<void>,
  lanes = REVIEW_LANES,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
}
