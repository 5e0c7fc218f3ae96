import { describe, expect, test } from "bun:test";
import { ApiError } from "../../src/api/errors.ts";
import type { KubeList, KubeObject, WatchEvent } from "../../src/api/types.ts";
import type { Client, ListOptions, ResourceRef, WatchOptions, WatchStream } from "../../src/client/client.ts";
import { Informer, objectKey, splitObjectKey } from "../../src/client/informer.ts";
import { waitFor } from "../support/wait.ts";
/** Everything here is in memory: poll tightly. */
const quick = { everyMs: 2 };

const pods: ResourceRef = { group: "", version: "v1", plural: "pods", namespaced: true, kind: "Pod" };

function pod(name: string, rv: number, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default", resourceVersion: String(rv), labels } };
}

/** A fake API: objects in memory, watches fed by push(); failWatchWith makes the next watch fail. */
class FakeClient implements Partial<Client> {
  objects = new Map<string, KubeObject>();
  revision = 0;
  watches: { opts: WatchOptions; push(e: WatchEvent | Error): void; end(): void; closed: boolean }[] = [];
  watchOpts: WatchOptions[] = [];
  listCalls = 0;
  failWatchWith?: Error;
  failListTimes = 0;

  put(name: string, labels: Record<string, string> = {}): KubeObject {
    const obj = pod(name, ++this.revision, labels);
    this.objects.set(name, obj);
    return obj;
  }

  async list<T extends KubeObject>(_rt: ResourceRef, _ns: string | undefined, _opts?: ListOptions): Promise<KubeList<T>> {
    this.listCalls++;
    if (this.failListTimes > 0) {
      this.failListTimes--;
      throw ApiError.unavailable("cannot reach the API server");
    }
    // Items without apiVersion/kind, as Kubernetes lists send them.
    const items = [...this.objects.values()].map(({ apiVersion: _a, kind: _k, ...rest }) => rest) as unknown as T[];
    return { apiVersion: "v1", kind: "PodList", metadata: { resourceVersion: String(this.revision) }, items };
  }

  watch<T extends KubeObject>(_rt: ResourceRef, _ns: string | undefined, opts: WatchOptions = {}): WatchStream<T> {
    this.watchOpts.push(opts);
    const queue: (WatchEvent | Error | null)[] = [];
    let notify: (() => void) | undefined;
    const entry = {
      opts,
      closed: false,
      push: (e: WatchEvent | Error) => {
        queue.push(e);
        notify?.();
      },
      end: () => {
        queue.push(null);
        notify?.();
      },
    };
    const failure = this.failWatchWith;
    this.failWatchWith = undefined;
    this.watches.push(entry);
    async function* gen(): AsyncGenerator<WatchEvent<T>> {
      if (failure) throw failure;
      for (;;) {
        while (queue.length === 0) {
          if (entry.closed) return;
          await new Promise<void>((r) => (notify = r));
        }
        const next = queue.shift()!;
        if (next === null) return;
        if (next instanceof Error) throw next;
        yield next as WatchEvent<T>;
      }
    }
    const it = gen();
    return {
      [Symbol.asyncIterator]: () => it,
      close: () => {
        entry.closed = true;
        notify?.();
      },
    };
  }
}

function recorder(inf: Informer<KubeObject>) {
  const events: string[] = [];
  inf.on({
    add: (o) => events.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    update: (old, o) => events.push(`update ${o.metadata.name}@${old.metadata.resourceVersion}->${o.metadata.resourceVersion}`),
    delete: (o) => events.push(`delete ${o.metadata.name}`),
  });
  return events;
}

const fast = { initialBackoffMs: 1, maxBackoffMs: 5 };

describe("Informer", () => {
  test("keys", () => {
    expect(objectKey(pod("a", 1))).toBe("default/a");
    expect(objectKey({ apiVersion: "v1", kind: "Node", metadata: { name: "n1" } })).toBe("n1");
    expect(splitObjectKey("ns/x")).toEqual({ namespace: "ns", name: "x" });
    expect(splitObjectKey("n1")).toEqual({ namespace: "", name: "n1" });
  });

  test("start lists into the cache, then watches from the list's revision", async () => {
    const fake = new FakeClient();
    fake.put("a");
    fake.put("b");
    const inf = new Informer<KubeObject>(fake as unknown as Client, pods, fast);
    const events = recorder(inf);
    await inf.start();
    expect(inf.hasSynced()).toBe(true);
    expect(events).toEqual(["add a@1", "add b@2"]);
    expect(inf.get("default", "a")?.kind).toBe("Pod");
    expect(inf.lastSyncResourceVersion).toBe("2");
    await waitFor("watch", () => fake.watches.length === 1, quick);
    expect(fake.watches[0].opts.resourceVersion).toBe("2");

    const c = fake.put("c");
    fake.watches[0].push({ type: "ADDED", object: c });
    const a2 = fake.put("a", { x: "y" });
    fake.watches[0].push({ type: "MODIFIED", object: a2 });
    fake.objects.delete("b");
    fake.watches[0].push({ type: "DELETED", object: pod("b", ++fake.revision) });
    await waitFor("events", () => events.length === 5, quick);
    expect(events.slice(2)).toEqual(["add c@3", "update a@1->4", "delete b"]);
    expect(inf.list().map((o) => o.metadata.name).sort()).toEqual(["a", "c"]);
    expect(inf.lastSyncResourceVersion).toBe("5");
    inf.stop();
  });

  test("a broken watch resumes from the last revision it saw", async () => {
    const fake = new FakeClient();
    fake.put("a");
    const inf = new Informer<KubeObject>(fake as unknown as Client, pods, fast);
    const events = recorder(inf);
    await inf.start();
    await waitFor("watch", () => fake.watches.length === 1, quick);
    fake.watches[0].push({ type: "ADDED", object: fake.put("b") });
    fake.watches[0].push(ApiError.unavailable("connection reset"));
    await waitFor("re-watch", () => fake.watches.length === 2, quick);
    expect(fake.watches[1].opts.resourceVersion).toBe("2");
    expect(fake.listCalls).toBe(1);
    fake.watches[1].push({ type: "BOOKMARK", object: { apiVersion: "v1", kind: "Pod", metadata: { resourceVersion: "9" } } });
    await waitFor("bookmark", () => inf.lastSyncResourceVersion === "9", quick);
    expect(events).toEqual(["add a@1", "add b@2"]);
    inf.stop();
  });

  test("on 410 Gone it relists and emits only the differences", async () => {
    const fake = new FakeClient();
    fake.put("keep");
    fake.put("change");
    fake.put("remove");
    const inf = new Informer<KubeObject>(fake as unknown as Client, pods, fast);
    const events = recorder(inf);
    await inf.start();
    await waitFor("watch", () => fake.watches.length === 1, quick);
    events.length = 0;

    // While the watch was down: one change, one delete, one add.
    fake.put("change", { v: "2" });
    fake.objects.delete("remove");
    fake.put("new");
    fake.failWatchWith = ApiError.gone("too old resource version");
    fake.watches[0].end();
    await waitFor("relist", () => fake.listCalls === 2, quick);
    await waitFor("diff events", () => events.length === 3, quick);
    expect(events.sort()).toEqual(["add new@5", "delete remove", "update change@2->4"]);
    await waitFor("watch after relist", () => fake.watches.length === 3, quick);
    expect(fake.watches[2].opts.resourceVersion).toBe("5");
    expect(inf.list().map((o) => o.metadata.name).sort()).toEqual(["change", "keep", "new"]);
    inf.stop();
  });

  test("a failing initial list is retried; start resolves once it succeeds", async () => {
    const fake = new FakeClient();
    fake.put("a");
    fake.failListTimes = 2;
    const inf = new Informer<KubeObject>(fake as unknown as Client, pods, fast);
    await inf.start();
    expect(fake.listCalls).toBe(3);
    expect(inf.list()).toHaveLength(1);
    inf.stop();
  });

  test("a throwing handler does not stop other handlers or the informer", async () => {
    const fake = new FakeClient();
    const inf = new Informer<KubeObject>(fake as unknown as Client, pods, fast);
    inf.on({ add: () => { throw new Error("boom"); } });
    const events = recorder(inf);
    await inf.start();
    await waitFor("watch", () => fake.watches.length === 1, quick);
    fake.watches[0].push({ type: "ADDED", object: fake.put("a") });
    fake.watches[0].push({ type: "ADDED", object: fake.put("b") });
    await waitFor("events", () => events.length === 2, quick);
    inf.stop();
  });

  test("stop closes the watch", async () => {
    const fake = new FakeClient();
    const inf = new Informer<KubeObject>(fake as unknown as Client, pods, fast);
    await inf.start();
    await waitFor("watch", () => fake.watches.length === 1, quick);
    inf.stop();
    expect(fake.watches[0].closed).toBe(true);
  });
});
