// Acknowledged writes survive kill -9, and an idle store leaves its files alone.
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite-store.ts";
import { cmKey, configMap, diskSnapshot, tempDir, tempStore, walTruncated, WatchReader } from "./helpers.ts";
import { waitFor } from "../support/wait.ts";

const bun = process.execPath;
let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function crashAfterAcks(path: string, sync: "full" | "normal", acks: number): Promise<Map<string, number>> {
  const child = Bun.spawn([bun, join(import.meta.dir, "fixtures/crash-writer.ts"), path, sync], { stdout: "pipe", stderr: "inherit" });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  const acked = new Map<string, number>();
  const decoder = new TextDecoder();
  let buffered = "";
  const deadline = Date.now() + 20_000;
  const reader = child.stdout.getReader();
  while (acked.size < acks) {
    if (Date.now() > deadline) throw new Error(`only ${acked.size} acks before the deadline`);
    const { value, done } = await reader.read();
    if (done) throw new Error("writer exited early");
    buffered += decoder.decode(value, { stream: true });
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines) {
      const [, rev, key] = line.split(" ");
      acked.set(key, Math.max(Number(rev), acked.get(key) ?? 0));
    }
  }
  // Mid-stream: writes are still in flight when the signal lands.
  child.kill("SIGKILL");
  await child.exited;
  expect(child.signalCode).toBe("SIGKILL");
  return acked;
}

for (const sync of ["full", "normal"] as const) {
  test(`every acknowledged write survives kill -9 (sync=${sync}); the change log has no gap`, async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, "state.db");
    const acked = await crashAfterAcks(path, sync, 2000);

    const store = openSqliteStore({ path, compactIntervalMs: 0 });
    cleanups.push(() => store.close());
    for (const [key, rev] of acked) {
      const obj = await store.get(key);
      expect(obj, key).toBeDefined();
      expect(Number(obj!.metadata.resourceVersion)).toBeGreaterThanOrEqual(rev);
    }
    const lastAcked = Math.max(...acked.values());
    expect(store.currentRevision()).toBeGreaterThanOrEqual(lastAcked);

    // From any acked revision, a watch replays every later revision exactly once.
    const from = lastAcked - 500;
    const w = new WatchReader(store.watch("/core/configmaps/crash/", from));
    const events = await w.take(store.currentRevision() - from);
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: store.currentRevision() - from }, (_, i) => from + i + 1));
    for (const [key, rev] of acked) if (rev > from) expect(events[rev - from - 1].key).toBe(key);
    // ...and then continues live.
    const next = store.create("/core/configmaps/crash/after", configMap("after", "crash"));
    const [live] = await w.take(1);
    expect(live.key).toBe("/core/configmaps/crash/after");
    expect(live.revision).toBe(Number((await next).metadata.resourceVersion));
    w.watch.close();
  }, 30_000);
}

test("an idle store writes nothing to disk", async () => {
  const { store, path, cleanup } = tempStore({ compactKeep: 10, compactIntervalMs: 50 });
  cleanups.push(cleanup);
  for (let i = 0; i < 200; i++) await store.create(cmKey(`c${i}`), configMap(`c${i}`));
  // Let the one post-write maintenance run happen (compaction + checkpoint).
  await waitFor("compaction", () => store.compactedRevision() === 190, { everyMs: 5 });
  await waitFor("the checkpoint after compaction", () => walTruncated(path), { everyMs: 5 });
  const settled = diskSnapshot(path);
  // Negative assertion: nothing may touch the files for 500 ms (10 maintenance ticks).
  await Bun.sleep(500);
  // Reads and watches must not write either.
  await store.list("/");
  await store.get(cmKey("c1"));
  const w = store.watch("/", store.currentRevision());
  // Negative assertion, again over 10 ticks.
  await Bun.sleep(500);
  w.close();
  expect(diskSnapshot(path)).toEqual(settled);
}, 10_000);
