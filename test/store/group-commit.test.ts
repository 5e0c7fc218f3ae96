import { expect, test } from "bun:test";
import { GroupCommitter } from "../../src/store/group-commit.ts";

test("writes submitted in one turn are committed together, in order", async () => {
  const batches: number[][] = [];
  const gc = new GroupCommitter<number, number>((ops) => {
    batches.push(ops);
    return ops.map((x) => x * 10);
  });
  const results = await Promise.all([1, 2, 3].map((x) => gc.submit(x)));
  expect(results).toEqual([10, 20, 30]);
  expect(batches).toEqual([[1, 2, 3]]);
});

test("batches are capped; the rest goes into the next transaction", async () => {
  const sizes: number[] = [];
  const gc = new GroupCommitter<number, number>((ops) => {
    sizes.push(ops.length);
    return ops;
  }, 4);
  await Promise.all(Array.from({ length: 10 }, (_, i) => gc.submit(i)));
  expect(sizes).toEqual([4, 4, 2]);
});

test("an Error outcome rejects only its write; a throwing commit rejects the batch", async () => {
  let fail = false;
  const gc = new GroupCommitter<number, number>((ops) => {
    if (fail) throw new Error("disk gone");
    return ops.map((x) => (x < 0 ? new Error(`bad ${x}`) : x));
  });
  const outcomes = await Promise.allSettled([gc.submit(1), gc.submit(-1), gc.submit(2)]);
  expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  fail = true;
  const all = await Promise.allSettled([gc.submit(3), gc.submit(4)]);
  expect(all.every((o) => o.status === "rejected" && String(o.reason).includes("disk gone"))).toBe(true);
});

test("a write resolves only after its batch committed; drain waits for pending writes", async () => {
  const committed: number[] = [];
  const gc = new GroupCommitter<number, number>((ops) => {
    committed.push(...ops);
    return ops;
  });
  let resolved = false;
  const p = gc.submit(7).then((v) => {
    resolved = true;
    expect(committed).toContain(7);
    return v;
  });
  expect(resolved).toBe(false);
  await gc.drain();
  expect(committed).toEqual([7]);
  expect(await p).toBe(7);
  await gc.drain(); // nothing pending: resolves at once
});
