// Keys under volatilePrefixes live in memory: same semantics, no disk writes.
import { afterEach, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { isApiError } from "../../src/api/errors.ts";
import type { KubeObject } from "../../src/api/types.ts";
import { openSqliteStore } from "../../src/store/sqlite-store.ts";
import { cmKey, configMap, diskSnapshot, tempStore, walTruncated, WatchReader } from "./helpers.ts";
import { waitFor } from "../support/wait.ts";

const leases = "/coordination.k8s.io/leases/";
const leaseKey = (name: string) => `${leases}kube-node-lease/${name}`;
const lease = (name: string, renew = "0"): KubeObject => ({
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  metadata: { name, namespace: "kube-node-lease" },
  spec: { holderIdentity: name, renewTime: renew },
});

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function setup(opts: Parameters<typeof tempStore>[0] = {}) {
  const t = tempStore({ volatilePrefixes: [leases], ...opts });
  cleanups.push(t.cleanup);
  return t;
}

test("volatile keys: CRUD, CAS and errors like any key, sharing the revision counter", async () => {
  const { store } = setup();
  await store.create(cmKey("a"), configMap("a"));
  const l = await store.create(leaseKey("n1"), lease("n1"));
  expect(l.metadata.resourceVersion).toBe("2");
  expect((await store.get(leaseKey("n1")))?.metadata.resourceVersion).toBe("2");
  let err: unknown;
  await store.create(leaseKey("n1"), lease("n1")).catch((e) => (err = e));
  expect(isApiError(err, "AlreadyExists")).toBe(true);
  await store.update(leaseKey("n1"), lease("n1", "1"), 1).catch((e) => (err = e));
  expect(isApiError(err, "Conflict")).toBe(true);
  const u = await store.update(leaseKey("n1"), lease("n1", "1"), 2);
  expect(u.metadata.resourceVersion).toBe("3");
  const d = await store.delete(leaseKey("n1"));
  expect(d.metadata.resourceVersion).toBe("4");
  expect(await store.get(leaseKey("n1"))).toBeUndefined();
  await store.delete(leaseKey("n1")).catch((e) => (err = e));
  expect(isApiError(err, "NotFound")).toBe(true);
});

test("lists merge volatile and stored keys in key order, also at an older revision", async () => {
  const { store } = setup();
  await store.create("/coordination.k8s.io/leases/a/x", lease("x"));
  await store.create("/coordination.k8s.io/leasesz/a/y", configMap("y"));
  await store.create(leaseKey("n2"), lease("n2"));
  await store.create(leaseKey("n1"), lease("n1"));
  const all = await store.list("/coordination.k8s.io/");
  expect(all.items.map((o) => o.metadata.name)).toEqual(["x", "n1", "n2", "y"]);
  const first = await store.list("/coordination.k8s.io/", { limit: 2 });
  await store.update(leaseKey("n2"), lease("n2", "later"));
  await store.delete("/coordination.k8s.io/leasesz/a/y");
  await store.create(leaseKey("n3"), lease("n3"));
  const rest = await store.list("/coordination.k8s.io/", { startAfter: first.continueKey, atRevision: first.revision });
  expect(rest.items.map((o) => [o.metadata.name, (o.spec as { renewTime?: string } | undefined)?.renewTime])).toEqual([
    ["n2", "0"],
    ["y", undefined],
  ]);
});

test("watches interleave volatile and stored events in revision order, backlog and live", async () => {
  const { store } = setup();
  await store.create(leaseKey("n1"), lease("n1"));
  await store.create(cmKey("a"), configMap("a"));
  const w = new WatchReader(store.watch("/", 0));
  await store.update(leaseKey("n1"), lease("n1", "1"));
  await store.create(cmKey("b"), configMap("b"));
  const events = await w.take(4);
  expect(events.map((e) => [e.revision, e.key])).toEqual([
    [1, leaseKey("n1")],
    [2, cmKey("a")],
    [3, leaseKey("n1")],
    [4, cmKey("b")],
  ]);
  expect(events[2].prevObject?.metadata.resourceVersion).toBe("1");
  w.watch.close();
});

test("lease renewals on an otherwise idle store write nothing to disk", async () => {
  const { store, path } = setup({ compactKeep: 10, compactIntervalMs: 20 });
  await store.create(cmKey("a"), configMap("a"));
  let l = await store.create(leaseKey("n1"), lease("n1"));
  await waitFor("the post-write checkpoint", () => walTruncated(path), { everyMs: 5 });
  const before = diskSnapshot(path);
  for (let i = 0; i < 100; i++) {
    l = await store.update(leaseKey("n1"), lease("n1", String(i)), Number(l.metadata.resourceVersion));
    // Every 20 renewals, let the timer run on volatile writes alone (it trims the in-memory history).
    if (i % 20 === 19) await waitFor("the timer to trim memory", () => store.compactedRevision() === store.currentRevision() - 10, { everyMs: 5 });
  }
  // Negative assertion: nothing may touch the files for 200 ms (10 maintenance ticks).
  await Bun.sleep(200);
  expect(diskSnapshot(path)).toEqual(before);
  // The in-memory history is still trimmed to the window.
  expect(store.compactedRevision()).toBe(store.currentRevision() - 10);
});

test("a failed batch leaves volatile state untouched", async () => {
  const { store, path } = setup();
  const other = new Database(path);
  other.run("CREATE TRIGGER boom BEFORE INSERT ON log WHEN NEW.key = '/core/configmaps/default/boom' BEGIN SELECT RAISE(ABORT, 'no'); END");
  other.close();
  const outcomes = await Promise.allSettled([store.create(leaseKey("n1"), lease("n1")), store.create(cmKey("boom"), configMap("boom"))]);
  expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
  expect(await store.get(leaseKey("n1"))).toBeUndefined();
  expect((await store.list(leases)).items).toEqual([]);
  expect((await store.create(leaseKey("n1"), lease("n1"))).metadata.resourceVersion).toBe("1");
});

test("after a restart volatile keys are gone, revisions never repeat, and older revisions are Gone", async () => {
  const { store, path } = setup();
  await store.create(cmKey("a"), configMap("a"));
  await store.create(leaseKey("n1"), lease("n1"));
  for (let i = 0; i < 5; i++) await store.update(leaseKey("n1"), lease("n1", String(i)));
  const handedOut = store.currentRevision();
  await store.close();
  // close() does not record the counter: the on-disk reservation carries it, as after a crash.
  const again = openSqliteStore({ path, compactIntervalMs: 0, volatilePrefixes: [leases] });
  cleanups.push(() => again.close());
  expect(await again.get(leaseKey("n1"))).toBeUndefined();
  expect(await again.get(cmKey("a"))).toBeDefined();
  expect(again.currentRevision()).toBeGreaterThan(handedOut);
  expect(() => again.watch("/", handedOut)).toThrow("too old resource version");
  const w = new WatchReader(again.watch("/", again.currentRevision()));
  const c = await again.create(cmKey("c"), configMap("c"));
  expect((await w.take(1))[0].revision).toBe(Number(c.metadata.resourceVersion));
  w.watch.close();
});
