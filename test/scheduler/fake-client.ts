// A small in-memory Client for driving the scheduler loop without a server:
// objects per plural, a change log that watches replay, binds that can be made
// to fail. Just enough API for informers, binds, status patches and events.
import { ApiError } from "../../src/api/errors.ts";
import { mergePatch } from "../../src/api/patch.ts";
import type { DeleteOptions, KubeList, KubeObject, Pod, WatchEvent } from "../../src/api/types.ts";
import type { Client, ListOptions, PatchType, ResourceRef, WatchOptions, WatchStream } from "../../src/client/client.ts";

interface Change {
  plural: string;
  event: WatchEvent;
}

export class FakeClient implements Client {
  private rv = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly log: Change[] = [];
  private readonly listeners = new Set<() => void>();
  /** Return an error to make a bind fail. */
  bindHook?: (namespace: string, name: string, node: string) => ApiError | undefined;
  binds = 0;
  maxConcurrentBinds = 0;
  private concurrentBinds = 0;
  bindDelayMs = 0;

  private bucket(plural: string): Map<string, KubeObject> {
    let b = this.objects.get(plural);
    if (!b) this.objects.set(plural, (b = new Map()));
    return b;
  }

  private key(obj: KubeObject): string {
    return `${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
  }

  private commit(plural: string, type: WatchEvent["type"], obj: KubeObject): KubeObject {
    const stamped = structuredClone({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } });
    if (type === "DELETED") this.bucket(plural).delete(this.key(stamped));
    else this.bucket(plural).set(this.key(stamped), stamped);
    this.log.push({ plural, event: { type, object: stamped } });
    for (const l of this.listeners) l();
    return structuredClone(stamped);
  }

  all<T extends KubeObject>(plural: string): T[] {
    return [...this.bucket(plural).values()].map((o) => structuredClone(o) as T);
  }

  async get<T extends KubeObject>(rt: ResourceRef, namespace: string | undefined, name: string): Promise<T> {
    const o = this.bucket(rt.plural).get(`${rt.namespaced ? (namespace ?? "") : ""}/${name}`);
    if (!o) throw ApiError.notFound(rt.plural, name);
    return structuredClone(o) as T;
  }

  async list<T extends KubeObject>(rt: ResourceRef, namespace?: string, _opts?: ListOptions): Promise<KubeList<T>> {
    const items = this.all<T>(rt.plural).filter((o) => !namespace || o.metadata.namespace === namespace);
    return { apiVersion: "v1", kind: `${rt.kind}List`, metadata: { resourceVersion: String(this.rv) }, items };
  }

  async create<T extends KubeObject>(rt: ResourceRef, obj: T): Promise<T> {
    const o = structuredClone(obj);
    if (rt.namespaced) o.metadata.namespace ??= "default";
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = `${o.metadata.generateName}${this.rv + 1}`;
    if (this.bucket(rt.plural).has(this.key(o))) throw ApiError.alreadyExists(rt.plural, o.metadata.name ?? "");
    o.metadata.uid ??= `uid-${this.rv + 1}`;
    o.metadata.creationTimestamp ??= new Date().toISOString();
    return this.commit(rt.plural, "ADDED", o) as T;
  }

  async update<T extends KubeObject>(rt: ResourceRef, obj: T): Promise<T> {
    await this.get(rt, obj.metadata.namespace, obj.metadata.name ?? "");
    return this.commit(rt.plural, "MODIFIED", obj) as T;
  }

  updateStatus<T extends KubeObject>(rt: ResourceRef, obj: T): Promise<T> {
    return this.update(rt, obj);
  }

  async patch<T extends KubeObject>(rt: ResourceRef, namespace: string | undefined, name: string, patch: unknown, _type?: PatchType): Promise<T> {
    const cur = await this.get<T>(rt, namespace, name);
    return this.commit(rt.plural, "MODIFIED", mergePatch(cur, patch) as T) as T;
  }

  async delete(rt: ResourceRef, namespace: string | undefined, name: string, _opts?: DeleteOptions): Promise<KubeObject> {
    const cur = await this.get(rt, namespace, name);
    return this.commit(rt.plural, "DELETED", cur);
  }

  watch<T extends KubeObject>(rt: ResourceRef, namespace: string | undefined, opts: WatchOptions = {}): WatchStream<T> {
    const since = Number(opts.resourceVersion ?? this.rv);
    let closed = false;
    let wake: (() => void) | undefined;
    const listener = () => wake?.();
    this.listeners.add(listener);
    const self = this;
    return {
      close: () => {
        closed = true;
        self.listeners.delete(listener);
        wake?.();
      },
      async *[Symbol.asyncIterator]() {
        let pos = self.log.findIndex((c) => Number(c.event.object.metadata.resourceVersion) > since);
        if (pos < 0) pos = self.log.length;
        while (!closed) {
          while (pos < self.log.length) {
            const c = self.log[pos++];
            if (c.plural !== rt.plural || (namespace && c.event.object.metadata.namespace !== namespace)) continue;
            yield structuredClone(c.event) as WatchEvent<T>;
            if (closed) return;
          }
          await new Promise<void>((r) => (wake = r));
        }
      },
    };
  }

  async bind(namespace: string, podName: string, nodeName: string, uid?: string): Promise<void> {
    this.concurrentBinds++;
    this.maxConcurrentBinds = Math.max(this.maxConcurrentBinds, this.concurrentBinds);
    try {
      if (this.bindDelayMs) await Bun.sleep(this.bindDelayMs);
      const err = this.bindHook?.(namespace, podName, nodeName);
      if (err) throw err;
      const pod = (await this.get<Pod>({ group: "", version: "v1", plural: "pods", namespaced: true, kind: "Pod" }, namespace, podName)) as Pod;
      if (pod.spec.nodeName) throw ApiError.conflict("pods", podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
      if (uid && uid !== pod.metadata.uid) throw ApiError.conflict("pods", podName, "Precondition failed: UID mismatch");
      pod.spec.nodeName = nodeName;
      this.commit("pods", "MODIFIED", pod);
      this.binds++;
    } finally {
      this.concurrentBinds--;
    }
  }

  async request(): Promise<Response> {
    throw new Error("FakeClient.request is not implemented");
  }
}
