import { describe, expect, test } from "bun:test";
import { WorkQueue } from "../../src/client/workqueue.ts";
import { waitFor } from "../support/wait.ts";

async function within<T>(p: Promise<T>, ms = 1000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not resolved within ${ms}ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("WorkQueue", () => {
  test("de-duplicates keys that are waiting", async () => {
    const q = new WorkQueue();
    q.add("a");
    q.add("b");
    q.add("a");
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe("a");
    expect(await q.get()).toBe("b");
    expect(q.len()).toBe(0);
  });

  test("a key is never handed out twice at once; re-added while processing it comes back after done", async () => {
    const q = new WorkQueue();
    q.add("a");
    const key = await q.get();
    expect(key).toBe("a");
    q.add("a");
    q.add("a");
    expect(q.len()).toBe(0);
    let second: string | undefined;
    const pending = q.get().then((k) => (second = k));
    // Negative assertion: a key being processed is not handed out again (5 ms: get() would resolve within a tick).
    await Bun.sleep(5);
    expect(second).toBeUndefined();
    q.done("a");
    expect(await within(pending)).toBe("a");
    q.done("a");
    expect(q.len()).toBe(0);
  });

  test("done without a re-add does not requeue", async () => {
    const q = new WorkQueue();
    q.add("a");
    await q.get();
    q.done("a");
    expect(q.len()).toBe(0);
  });

  test("a waiting get is woken by add", async () => {
    const q = new WorkQueue();
    const p = q.get();
    q.add("x");
    expect(await within(p)).toBe("x");
  });

  test("addAfter delays, and the earliest of several delays wins", async () => {
    const q = new WorkQueue();
    q.addAfter("k", 10_000);
    q.addAfter("k", 20);
    expect(q.len()).toBe(0);
    const started = Date.now();
    expect(await within(q.get())).toBe("k");
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    q.done("k");
    q.shutDown();
  });

  test("addRateLimited backs off exponentially per key until forget", () => {
    const q = new WorkQueue();
    expect([0, 1, 2, 3].map((n) => q.backoffFor(n))).toEqual([5, 10, 20, 40]);
    expect(q.backoffFor(100)).toBe(1000_000);
    q.addRateLimited("a");
    q.addRateLimited("a");
    q.addRateLimited("b");
    expect(q.numRequeues("a")).toBe(2);
    expect(q.numRequeues("b")).toBe(1);
    q.forget("a");
    expect(q.numRequeues("a")).toBe(0);
    q.shutDown();
  });

  test("rate-limited keys arrive after their delay", async () => {
    const q = new WorkQueue({ baseDelayMs: 10 });
    q.addRateLimited("a");
    expect(q.len()).toBe(0);
    expect(await within(q.get())).toBe("a");
    q.shutDown();
  });

  test("shutDown releases waiting workers with undefined and ignores later adds", async () => {
    const q = new WorkQueue();
    const waiting = [q.get(), q.get()];
    q.shutDown();
    expect(await within(Promise.all(waiting))).toEqual([undefined, undefined]);
    q.add("a");
    expect(q.len()).toBe(0);
    expect(await q.get()).toBeUndefined();
  });

  test("several workers share the keys without overlap", async () => {
    const q = new WorkQueue<number>();
    const seen: number[] = [];
    let active = new Set<number>();
    let overlap = false;
    const worker = async () => {
      for (;;) {
        const k = await q.get();
        if (k === undefined) return;
        if (active.has(k)) overlap = true;
        active.add(k);
        await Bun.sleep(1);
        seen.push(k);
        active.delete(k);
        q.done(k);
      }
    };
    const workers = [worker(), worker(), worker()];
    for (let i = 0; i < 20; i++) q.add(i % 5);
    await waitFor("five keys processed", () => seen.length >= 5, { timeoutMs: 2000, everyMs: 2 });
    q.shutDown();
    await within(Promise.all(workers));
    expect(overlap).toBe(false);
    expect(new Set(seen)).toEqual(new Set([0, 1, 2, 3, 4]));
  });
});
