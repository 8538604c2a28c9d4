/**
 * One at a time per key: deliveries for the same issue are handled in turn within a process, so
 * two of them never both find "no card yet" and both write one. (Across replicas, the next
 * reconcile removes an extra card: see reconcile.ts.)
 */
const tails = new Map<string, Promise<unknown>>();

export async function serialize<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.then(work, work);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await run;
  } finally {
    if (tails.get(key) === tail) tails.delete(key);
  }
}
