import { expect, test } from "bun:test";
import { limiter, mapLimit } from "./pool.ts";

test("never more than n tasks in flight, results in input order", async () => {
  let active = 0;
  let peak = 0;
  const gates: (() => void)[] = [];
  const run = mapLimit([1, 2, 3, 4, 5], 2, async (x) => {
    peak = Math.max(peak, ++active);
    await new Promise<void>((r) => gates.push(r));
    active--;
    return x * 10;
  });
  // Release tasks one at a time as they arrive; the pool must keep at most two waiting on gates.
  while (gates.length || active) {
    expect(active).toBeLessThanOrEqual(2);
    const g = gates.shift();
    if (g) g();
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
  }
  expect(await run).toEqual([10, 20, 30, 40, 50]);
  expect(peak).toBe(2);
});

test("a failing task frees its slot", async () => {
  const limit = limiter(1);
  await expect(
    limit(async () => {
      throw new Error("boom");
    }),
  ).rejects.toThrow("boom");
  expect(await limit(async () => 7)).toBe(7);
});
