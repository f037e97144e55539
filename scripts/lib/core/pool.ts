/**
 * pool — bounded concurrency: at most `n` tasks in flight, started in submission order. tier-c's cells,
 * the fixture builds and all.ts's steps share it (2 cores: a tool run per core).
 */

/** Returns a runner: `limit(task)` waits for a free slot, runs the task, frees the slot. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** Maps over items with at most `n` in flight, keeping order. */
export function mapLimit<T, R>(items: T[], n: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const limit = limiter(Math.max(1, n));
  return Promise.all(items.map((item, i) => limit(() => fn(item, i))));
}
