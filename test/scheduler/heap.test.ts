import { expect, test } from "bun:test";
import { Heap } from "../../src/scheduler/heap.ts";

interface Item {
  v: number;
  heapIndex: number;
}

test("heap pops in order through random pushes, removals and re-keys", () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const heap = new Heap<Item>((a, b) => a.v < b.v);
  const live = new Set<Item>();
  for (let i = 0; i < 5000; i++) {
    const r = rand();
    if (r < 0.5 || live.size === 0) {
      const it = { v: Math.floor(rand() * 1000), heapIndex: -1 };
      heap.push(it);
      live.add(it);
    } else if (r < 0.7) {
      const it = [...live][Math.floor(rand() * live.size)];
      heap.remove(it);
      live.delete(it);
      expect(heap.has(it)).toBe(false);
    } else if (r < 0.85) {
      const it = [...live][Math.floor(rand() * live.size)];
      it.v = Math.floor(rand() * 1000);
      heap.fix(it.heapIndex);
    } else {
      const top = heap.pop()!;
      expect(top.v).toBe(Math.min(...[...live].map((x) => x.v)));
      live.delete(top);
    }
    expect(heap.size).toBe(live.size);
  }
  const drained: number[] = [];
  for (let it = heap.pop(); it; it = heap.pop()) drained.push(it.v);
  expect(drained).toEqual([...live].map((x) => x.v).sort((a, b) => a - b));
});
