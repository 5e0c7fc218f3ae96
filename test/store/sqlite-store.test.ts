import { afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { ApiError, isApiError } from "../../src/api/errors.ts";
import { openSqliteStore, type SqliteStore } from "../../src/store/sqlite-store.ts";
import { cmKey, configMap, tempStore, WatchReader } from "./helpers.ts";
import { waitFor } from "../support/wait.ts";

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function setup(opts: Parameters<typeof tempStore>[0] = {}) {
  const t = tempStore(opts);
  cleanups.push(t.cleanup);
  return t;
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("expected the promise to reject");
}

describe("CRUD and CAS", () => {
  test("create stamps a revision; get returns it; revisions increase globally", async () => {
    const { store } = setup();
    const a = await store.create(cmKey("a"), configMap("a"));
    const b = await store.create(cmKey("b"), configMap("b"));
    expect(a.metadata.resourceVersion).toBe("1");
    expect(b.metadata.resourceVersion).toBe("2");
    expect(store.currentRevision()).toBe(2);
    expect(await store.get(cmKey("a"))).toEqual(a);
    expect(await store.get(cmKey("missing"))).toBeUndefined();
  });

  test("create does not mutate the caller's object", async () => {
    const { store } = setup();
    const obj = configMap("a");
    await store.create(cmKey("a"), obj);
    expect(obj.metadata.resourceVersion).toBeUndefined();
  });

  test("create on an existing key is AlreadyExists and changes nothing", async () => {
    const { store } = setup();
    await store.create(cmKey("a"), configMap("a", "default", { v: "1" }));
    const err = await rejection(store.create(cmKey("a"), configMap("a", "default", { v: "2" })));
    expect(err.code).toBe(409);
    expect(err.reason).toBe("AlreadyExists");
    expect(err.message).toBe('configmaps "a" already exists');
    expect((await store.get(cmKey("a")))?.data).toEqual({ v: "1" });
    expect(store.currentRevision()).toBe(1);
  });

  test("update with the current revision succeeds; a stale one is a Conflict", async () => {
    const { store } = setup();
    const a = await store.create(cmKey("a"), configMap("a"));
    const u = await store.update(cmKey("a"), { ...a, data: { v: "2" } }, Number(a.metadata.resourceVersion));
    expect(u.metadata.resourceVersion).toBe("2");
    const err = await rejection(store.update(cmKey("a"), { ...a, data: { v: "3" } }, 1));
    expect(err.reason).toBe("Conflict");
    expect(err.message).toContain('Operation cannot be fulfilled on configmaps "a"');
    expect((await store.get(cmKey("a")))?.data).toEqual({ v: "2" });
    // No expected revision: unconditional.
    const v = await store.update(cmKey("a"), { ...a, data: { v: "4" } });
    expect(v.metadata.resourceVersion).toBe("3");
  });

  test("update and delete of a missing key are NotFound", async () => {
    const { store } = setup();
    const e1 = await rejection(store.update("/apps/deployments/default/web", configMap("web")));
    expect(e1.reason).toBe("NotFound");
    expect(e1.message).toBe('deployments.apps "web" not found');
    const e2 = await rejection(store.delete("/core/nodes/n1"));
    expect(e2.code).toBe(404);
    expect(e2.message).toBe('nodes "n1" not found');
  });

  test("delete returns the object stamped with the delete revision; CAS applies", async () => {
    const { store } = setup();
    await store.create(cmKey("a"), configMap("a"));
    await store.update(cmKey("a"), configMap("a", "default", { v: "2" }));
    expect((await rejection(store.delete(cmKey("a"), 1))).reason).toBe("Conflict");
    const d = await store.delete(cmKey("a"), 2);
    expect(d.metadata.resourceVersion).toBe("3");
    expect(d.data).toEqual({ v: "2" });
    expect(await store.get(cmKey("a"))).toBeUndefined();
  });

  test("a describeKey option names resources in errors", async () => {
    const { store } = setup({ describeKey: (key) => ({ resource: "widgets.example.com", name: key.slice(1) }) });
    const err = await rejection(store.delete("/thing"));
    expect(err.message).toBe('widgets.example.com "thing" not found');
  });

  test("state survives close and reopen, revision counter included", async () => {
    const { store, path } = setup();
    await store.create(cmKey("a"), configMap("a"));
    await store.create(cmKey("b"), configMap("b"));
    await store.delete(cmKey("b"));
    await store.close();
    const again = openSqliteStore({ path, compactIntervalMs: 0 });
    cleanups.push(() => again.close());
    expect(again.currentRevision()).toBe(3);
    expect((await again.get(cmKey("a")))?.metadata.resourceVersion).toBe("1");
    const c = await again.create(cmKey("c"), configMap("c"));
    expect(c.metadata.resourceVersion).toBe("4");
  });
});

describe("group commit", () => {
  test("concurrent writes share transactions; each resolves with its own result", async () => {
    const { store } = setup();
    const n = 200;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => store.create(cmKey(`c${i}`), configMap(`c${i}`))));
    const revisions = results.map((r) => Number(r.metadata.resourceVersion)).sort((a, b) => a - b);
    expect(revisions).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(store.stats().writes).toBe(n);
    expect(store.stats().transactions).toBeLessThan(n / 10);
  });

  test("a failing CAS in a batch rejects only that write", async () => {
    const { store } = setup();
    await store.create(cmKey("dup"), configMap("dup"));
    const before = store.stats().transactions;
    const outcomes = await Promise.allSettled([
      store.create(cmKey("x1"), configMap("x1")),
      store.create(cmKey("dup"), configMap("dup")),
      store.update(cmKey("dup"), configMap("dup"), 99),
      store.create(cmKey("x2"), configMap("x2")),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"]);
    expect(store.stats().transactions).toBe(before + 1);
    expect(await store.get(cmKey("x2"))).toBeDefined();
  });

  test("an object that cannot be serialized fails alone, leaving no revision gap", async () => {
    const { store } = setup();
    const bad = { ...configMap("bad"), data: { n: 1n } };
    const outcomes = await Promise.allSettled([store.create(cmKey("a"), configMap("a")), store.create(cmKey("bad"), bad), store.create(cmKey("b"), configMap("b"))]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((await store.get(cmKey("b")))?.metadata.resourceVersion).toBe("2");
  });

  test("a storage error rolls the whole batch back and rejects every write in it", async () => {
    const { store, path } = setup();
    await store.create(cmKey("before"), configMap("before"));
    // A second connection plants a trigger that makes the log insert for one key fail.
    const other = new Database(path);
    other.run("CREATE TRIGGER boom BEFORE INSERT ON log WHEN NEW.key = '/core/configmaps/default/boom' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    other.close();
    const outcomes = await Promise.allSettled([store.create(cmKey("x"), configMap("x")), store.create(cmKey("boom"), configMap("boom"))]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    const reason = (outcomes[0] as PromiseRejectedResult).reason;
    expect(isApiError(reason, "InternalError")).toBe(true);
    expect(store.currentRevision()).toBe(1);
    expect(await store.get(cmKey("x"))).toBeUndefined();
    const after = await store.create(cmKey("after"), configMap("after"));
    expect(after.metadata.resourceVersion).toBe("2");
  });

  test("writes in one batch see each other in order (create then CAS update)", async () => {
    const { store } = setup();
    const [created, updated] = await Promise.all([
      store.create(cmKey("a"), configMap("a")),
      store.update(cmKey("a"), configMap("a", "default", { v: "2" }), 1),
    ]);
    expect(created.metadata.resourceVersion).toBe("1");
    expect(updated.metadata.resourceVersion).toBe("2");
  });
});

describe("list", () => {
  async function fill(store: SqliteStore) {
    for (const ns of ["a", "b"]) for (let i = 0; i < 5; i++) await store.create(cmKey(`cm${i}`, ns), configMap(`cm${i}`, ns, { i: String(i) }));
    await store.create("/core/configmapsx/a/zzz", configMap("zzz", "a"));
  }

  test("prefix selects exactly its keys, in key order, with the read revision", async () => {
    const { store } = setup();
    await fill(store);
    const all = await store.list("/core/configmaps/");
    expect(all.items.length).toBe(10);
    expect(all.revision).toBe(11);
    expect(all.continueKey).toBeUndefined();
    const a = await store.list("/core/configmaps/a/");
    expect(a.items.map((o) => o.metadata.name)).toEqual(["cm0", "cm1", "cm2", "cm3", "cm4"]);
    expect((await store.list("")).items.length).toBe(11);
  });

  test("limit + startAfter pages through everything once; filter counts before limit", async () => {
    const { store } = setup();
    await fill(store);
    const seen: string[] = [];
    let page = await store.list("/core/configmaps/", { limit: 3 });
    const rev = page.revision;
    seen.push(...page.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
    while (page.continueKey) {
      page = await store.list("/core/configmaps/", { limit: 3, startAfter: page.continueKey, atRevision: rev });
      expect(page.revision).toBe(rev);
      seen.push(...page.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
    }
    expect(seen.length).toBe(10);
    expect(new Set(seen).size).toBe(10);

    const odd = await store.list("/core/configmaps/", { limit: 2, filter: (o) => Number((o.data as Record<string, string>).i) % 2 === 1 });
    expect(odd.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(["a/cm1", "a/cm3"]);
    expect(odd.continueKey).toBe(cmKey("cm3", "a"));
  });

  test("startAfter outside the prefix: before it lists everything, after it nothing", async () => {
    const { store } = setup();
    await fill(store);
    expect((await store.list("/core/configmaps/b/", { startAfter: "/core/configmaps/a/zzz" })).items.length).toBe(5);
    expect((await store.list("/core/configmaps/a/", { startAfter: "/core/configmaps/b/" })).items.length).toBe(0);
  });

  test("a continued list reads at the first page's revision despite later writes", async () => {
    const { store } = setup();
    await fill(store);
    const first = await store.list("/core/configmaps/", { limit: 4 });
    // After the first page: delete one not yet listed, modify one, add two (one before, one after the cursor).
    await store.delete(cmKey("cm2", "b"));
    await store.update(cmKey("cm3", "b"), configMap("cm3", "b", { i: "changed" }));
    await store.create(cmKey("cm9", "b"), configMap("cm9", "b"));
    await store.create(cmKey("aaa", "a"), configMap("aaa", "a"));
    const rest = await store.list("/core/configmaps/", { startAfter: first.continueKey, atRevision: first.revision });
    const names = [...first.items, ...rest.items].map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(names).toEqual(["a/cm0", "a/cm1", "a/cm2", "a/cm3", "a/cm4", "b/cm0", "b/cm1", "b/cm2", "b/cm3", "b/cm4"]);
    const b3 = rest.items.find((o) => o.metadata.name === "cm3" && o.metadata.namespace === "b")!;
    expect(b3.data).toEqual({ i: "3" });
    expect(b3.metadata.resourceVersion).toBe("9");
    // The latest view has the changes.
    const now = await store.list("/core/configmaps/b/");
    expect(now.items.map((o) => o.metadata.name)).toEqual(["cm0", "cm1", "cm3", "cm4", "cm9"]);
  });

  test("a key deleted and re-created, or created and deleted, after the first page reads as it was", async () => {
    const { store } = setup();
    await fill(store);
    const first = await store.list("/core/configmaps/", { limit: 1 });
    await store.delete(cmKey("cm1", "a"));
    await store.create(cmKey("cm1", "a"), configMap("cm1", "a", { i: "reborn" }));
    await store.create(cmKey("cm1x", "a"), configMap("cm1x", "a"));
    await store.delete(cmKey("cm1x", "a"));
    const rest = await store.list("/core/configmaps/a/", { startAfter: first.continueKey, atRevision: first.revision });
    expect(rest.items.map((o) => [o.metadata.name, (o.data as Record<string, string>).i])).toEqual([
      ["cm1", "1"],
      ["cm2", "2"],
      ["cm3", "3"],
      ["cm4", "4"],
    ]);
  });

  test("continuing at a compacted revision is Gone; a future revision is refused", async () => {
    const { store } = setup();
    await fill(store);
    const first = await store.list("/core/configmaps/", { limit: 2 });
    await store.create(cmKey("new"), configMap("new"));
    await store.compact(store.currentRevision());
    const err = await rejection(store.list("/core/configmaps/", { startAfter: first.continueKey, atRevision: first.revision }));
    expect(err.code).toBe(410);
    expect(err.message).toContain("continue parameter is too old");
    expect((await rejection(store.list("/", { atRevision: 1000 }))).code).toBe(504);
  });
});

describe("watch", () => {
  test("backlog then live, in revision order, without gaps or duplicates", async () => {
    const { store } = setup();
    for (let i = 0; i < 5; i++) await store.create(cmKey(`b${i}`), configMap(`b${i}`));
    const w = new WatchReader(store.watch("/core/configmaps/", 2));
    const writes = Promise.all(Array.from({ length: 5 }, (_, i) => store.create(cmKey(`l${i}`), configMap(`l${i}`))));
    const events = await w.take(8);
    await writes;
    expect(events.map((e) => e.revision)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(events.every((e) => e.type === "ADDED" && e.object.metadata.resourceVersion === String(e.revision))).toBe(true);
    w.watch.close();
    expect((await w.next()).done).toBe(true);
  });

  test("a long backlog (more than one page) with writes racing it arrives complete", async () => {
    const { store } = setup({ watchBuffer: 100_000 });
    await Promise.all(Array.from({ length: 1200 }, (_, i) => store.create(cmKey(`b${i}`), configMap(`b${i}`))));
    const w = new WatchReader(store.watch("/", 0));
    const racing = Promise.all(Array.from({ length: 300 }, (_, i) => store.create(cmKey(`r${i}`), configMap(`r${i}`))));
    const events = await w.take(1500);
    await racing;
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
    w.watch.close();
  });

  test("MODIFIED and DELETED carry prevObject; DELETED's object has the delete revision", async () => {
    const { store } = setup();
    const w = new WatchReader(store.watch("/core/", 0));
    await store.create(cmKey("a"), configMap("a", "default", { v: "1" }));
    await store.update(cmKey("a"), configMap("a", "default", { v: "2" }), 1);
    await store.delete(cmKey("a"));
    const [added, modified, deleted] = await w.take(3);
    expect(added.type).toBe("ADDED");
    expect(added.prevObject).toBeUndefined();
    expect(modified.type).toBe("MODIFIED");
    expect(modified.object.data).toEqual({ v: "2" });
    expect(modified.prevObject?.data).toEqual({ v: "1" });
    expect(modified.prevObject?.metadata.resourceVersion).toBe("1");
    expect(deleted.type).toBe("DELETED");
    expect(deleted.object.metadata.resourceVersion).toBe("3");
    expect(deleted.prevObject?.metadata.resourceVersion).toBe("2");
    // Live events carry their commit time (one per batch); replays from the log do not.
    for (const ev of [added, modified, deleted]) expect(ev.committedAt).toBeNumber();
    // The same events from the backlog.
    const replay = new WatchReader(store.watch("/core/", 0));
    const replayed = await replay.take(3);
    for (const ev of replayed) expect(ev.committedAt).toBeUndefined();
    expect(replayed).toEqual([added, modified, deleted].map(({ committedAt: _, ...ev }) => ev));
    w.watch.close();
    replay.watch.close();
  });

  test("prefix filtering: a watcher sees only its prefix, live and from the backlog", async () => {
    const { store } = setup();
    await store.create(cmKey("x", "a"), configMap("x", "a"));
    await store.create(cmKey("x", "ab"), configMap("x", "ab"));
    const w = new WatchReader(store.watch("/core/configmaps/a/", 0));
    await store.create(cmKey("y", "ab"), configMap("y", "ab"));
    await store.create("/core/secrets/a/x", configMap("x", "a"));
    await store.create(cmKey("y", "a"), configMap("y", "a"));
    const events = await w.take(2);
    expect(events.map((e) => e.key)).toEqual([cmKey("x", "a"), cmKey("y", "a")]);
    w.watch.close();
  });

  test("fan-out: many watchers each get every event", async () => {
    const { store } = setup();
    const readers = Array.from({ length: 200 }, () => new WatchReader(store.watch("/core/configmaps/", store.currentRevision())));
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.create(cmKey(`c${i}`), configMap(`c${i}`))));
    const all = await Promise.all(readers.map((r) => r.take(20)));
    for (const events of all) expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(store.stats().watchers).toBe(200);
    for (const r of readers) r.watch.close();
    expect(store.stats().watchers).toBe(0);
  });

  test("a slow watcher is cut off with 503 while writers and other watchers continue", async () => {
    const { store } = setup();
    const slow = new WatchReader(store.watch("/", 0, { maxBuffered: 10 }));
    const fast = new WatchReader(store.watch("/", 0, { maxBuffered: 10 }));
    const consumed: number[] = [];
    const consuming = (async () => {
      for (let i = 0; i < 100; i++) consumed.push((await fast.take(1))[0].revision);
    })();
    for (let i = 0; i < 100; i++) await store.create(cmKey(`c${i}`), configMap(`c${i}`));
    await consuming;
    expect(consumed).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const err = await slow.error();
    expect(isApiError(err, "ServiceUnavailable")).toBe(true);
    expect((err as ApiError).message).toContain("watcher fell behind");
    expect(store.stats().watchers).toBe(1);
    fast.watch.close();
  });

  test("watch from a compacted revision is Gone; from the horizon it works", async () => {
    const { store } = setup();
    for (let i = 0; i < 10; i++) await store.create(cmKey(`c${i}`), configMap(`c${i}`));
    await store.compact(6);
    expect(store.compactedRevision()).toBe(6);
    let err: unknown;
    try {
      store.watch("/", 5);
    } catch (e) {
      err = e;
    }
    expect(isApiError(err, "Gone")).toBe(true);
    expect((err as ApiError).message).toBe("too old resource version: 5 (6)");
    const w = new WatchReader(store.watch("/", 6));
    expect((await w.take(4)).map((e) => e.revision)).toEqual([7, 8, 9, 10]);
    w.watch.close();
    // The horizon persists.
    expect(store.compactedRevision()).toBe(6);
  });

  test("compaction while a watcher is still replaying its backlog ends it with Gone", async () => {
    const { store } = setup({ watchBuffer: 100_000 });
    await Promise.all(Array.from({ length: 1200 }, (_, i) => store.create(cmKey(`c${i}`), configMap(`c${i}`))));
    const w = new WatchReader(store.watch("/", 0));
    await w.take(10);
    await store.compact(1100);
    expect(isApiError(await w.error(), "Gone")).toBe(true);
  });

  test("progress() is the current revision when a watcher has nothing pending, else its last delivered event", async () => {
    const { store } = setup();
    await store.create(cmKey("a"), configMap("a"));
    const watch = store.watch("/core/configmaps/", 0);
    expect(watch.progress()).toBe(0); // backlog (revision 1) not read yet
    const seen: number[] = [];
    let accept = true;
    watch.listen({ event: (ev) => (seen.push(ev.revision), accept), end: () => {} });
    expect(seen).toEqual([1]);
    await store.create("/core/secrets/default/s", configMap("s"));
    expect(watch.progress()).toBe(2); // nothing under its prefix pending: up to date at 2
    accept = false;
    await store.create(cmKey("b"), configMap("b")); // delivered, and the listener pauses
    await store.create(cmKey("c"), configMap("c")); // queued
    expect(seen).toEqual([1, 3]);
    expect(watch.progress()).toBe(3); // revision 4 queued, not handed out
    accept = true;
    watch.resume();
    expect(seen).toEqual([1, 3, 4]);
    expect(watch.progress()).toBe(4);
    watch.close();
  });

  test("a watch from a future revision skips events up to it", async () => {
    const { store } = setup();
    const w = new WatchReader(store.watch("/", 2));
    for (let i = 0; i < 4; i++) await store.create(cmKey(`c${i}`), configMap(`c${i}`));
    expect((await w.take(2)).map((e) => e.revision)).toEqual([3, 4]);
    w.watch.close();
  });

  test("close() ends the listener once, without an error, and unregisters the watcher", async () => {
    const { store } = setup();
    await store.create(cmKey("a"), configMap("a"));
    const ends: unknown[] = [];
    const watch = store.watch("/", 0);
    watch.listen({ event: () => true, end: (err) => ends.push(err) });
    expect(store.stats().watchers).toBe(1);
    watch.close();
    watch.close();
    expect(ends).toEqual([undefined]);
    expect(store.stats().watchers).toBe(0);
  });

  test("a listener that throws ends its own watch; the write and other watchers carry on", async () => {
    const { store } = setup();
    const ends: unknown[] = [];
    store.watch("/", 0).listen({
      event: () => {
        throw new Error("boom");
      },
      end: (err) => ends.push(err),
    });
    const other = new WatchReader(store.watch("/", 0));
    await store.create(cmKey("a"), configMap("a"));
    expect((await other.take(1))[0].revision).toBe(1);
    expect(ends).toHaveLength(1);
    expect(isApiError(ends[0], "InternalError")).toBe(true);
    expect(store.stats().watchers).toBe(1);
    other.watch.close();
  });

  test("close ends every watch", async () => {
    const t = tempStore();
    const w = new WatchReader(t.store.watch("/", 0));
    const pending = w.next();
    await t.cleanup();
    expect((await pending).done).toBe(true);
  });
});

describe("compaction", () => {
  test("the timer compacts to compactKeep only after writes, and keeps a watchable window", async () => {
    const { store } = setup({ compactKeep: 5, compactIntervalMs: 20 });
    for (let i = 0; i < 20; i++) await store.create(cmKey(`c${i}`), configMap(`c${i}`));
    await waitFor("compaction to revision 15", () => store.compactedRevision() === 15, { timeoutMs: 5000, everyMs: 10 });
    expect(store.compactedRevision()).toBe(15);
    const w = new WatchReader(store.watch("/", 15));
    expect((await w.take(5)).map((e) => e.revision)).toEqual([16, 17, 18, 19, 20]);
    w.watch.close();
    expect(() => store.watch("/", 14)).toThrow("too old resource version");
  });

  test("compacting past the current revision is refused", async () => {
    const { store } = setup();
    await store.create(cmKey("a"), configMap("a"));
    expect((await rejection(store.compact(5))).code).toBe(400);
  });
});
