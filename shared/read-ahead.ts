/**
 * Iterates `source` while reading up to `depth` items ahead of the consumer, so fetching the
 * next page overlaps with storing this one. Never holds more than `depth` items. A failure of
 * the source is thrown after the items read before it; stopping early stops the reading.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, depth: number): AsyncIterable<T> {
  const it = source[Symbol.asyncIterator]();
  const buffered: IteratorResult<T>[] = [];
  let failure: { error: unknown } | undefined;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const notifyConsumer = () => {
    wakeConsumer?.();
    wakeConsumer = undefined;
  };
  const producer = (async () => {
    try {
      for (;;) {
        while (buffered.length >= depth && !stopped)
          await new Promise<void>((resolve) => {
            wakeProducer = resolve;
          });
        if (stopped) return;
        const next = await it.next();
        buffered.push(next);
        notifyConsumer();
        if (next.done) return;
      }
    } catch (error) {
      failure = { error };
      notifyConsumer();
    }
  })();
  let finished = false;
  try {
    for (;;) {
      while (buffered.length === 0 && !failure)
        await new Promise<void>((resolve) => {
          wakeConsumer = resolve;
        });
      const next = buffered.shift();
      if (next === undefined) {
        finished = true;
        throw (failure as { error: unknown }).error;
      }
      wakeProducer?.();
      wakeProducer = undefined;
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    stopped = true;
    wakeProducer?.();
    await producer;
    if (!finished && !failure) await it.return?.();
  }
}
