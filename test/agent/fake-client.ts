// An in-memory Client for kubelet tests: objects per plural, a global revision,
// live watches, merge-patch, and spec.nodeName field selection. Just enough of
// the API for an Informer; the e2e tests run against the real server.
import { ApiError } from "../../src/api/errors.ts";
import { mergePatch } from "../../src/api/patch.ts";
import type { DeleteOptions, KubeList, KubeObject, WatchEvent } from "../../src/api/types.ts";
import type { Client, ListOptions, ResourceRef, WatchOptions, WatchStream } from "../../src/client/client.ts";

type Listener = (e: WatchEvent) => void;

export class FakeClient implements Client {
  rev = 1;
  readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Map<string, Set<Listener>>();
  /** When set, every call fails as if the server were down. */
  down = false;
  deletes: { plural: string; namespace?: string; name: string; opts?: DeleteOptions }[] = [];

  private bucket(plural: string): Map<string, KubeObject> {
    let b = this.objects.get(plural);
    if (!b) this.objects.set(plural, (b = new Map()));
    return b;
  }

  private check(): void {
    if (this.down) throw ApiError.unavailable("server down (fake)");
  }

  private key(ns: string | undefined, name: string): string {
    return `${ns ?? ""}/${name}`;
  }

  private emit(plural: string, type: WatchEvent["type"], obj: KubeObject): void {
    for (const l of this.listeners.get(plural) ?? []) l({ type, object: structuredClone(obj) });
  }

  private stamp(obj: KubeObject): KubeObject {
    obj.metadata.resourceVersion = String(++this.rev);
    return obj;
  }

  private matches(obj: KubeObject, fieldSelector?: string): boolean {
    if (!fieldSelector) return true;
    return fieldSelector.split(",").every((term) => {
      const [k, v] = term.split("=");
      if (k === "spec.nodeName") return (obj.spec as { nodeName?: string } | undefined)?.nodeName === v;
      return true;
    });
  }

  async get<T extends KubeObject>(rt: ResourceRef, namespace: string | undefined, name: string): Promise<T> {
    this.check();
    const o = this.bucket(rt.plural).get(this.key(rt.namespaced ? namespace : undefined, name));
    if (!o) throw ApiError.notFound(rt.plural, name);
    return structuredClone(o) as T;
  }

  async list<T extends KubeObject>(rt: ResourceRef, namespace: string | undefined, opts?: ListOptions): Promise<KubeList<T>> {
    this.check();
    const items = [...this.bucket(rt.plural).values()].filter((o) => (!namespace || o.metadata.namespace === namespace) && this.matches(o, opts?.fieldSelector));
    return { apiVersion: "v1", kind: `${rt.kind}List`, metadata: { resourceVersion: String(this.rev) }, items: structuredClone(items) as T[] };
  }

  async create<T extends KubeObject>(rt: ResourceRef, obj: T): Promise<T> {
    this.check();
    const o = structuredClone(obj);
    o.metadata.uid ??= crypto.randomUUID();
    o.metadata.creationTimestamp ??= new Date().toISOString();
    const k = this.key(rt.namespaced ? o.metadata.namespace ?? "default" : undefined, o.metadata.name ?? "");
    if (rt.namespaced) o.metadata.namespace ??= "default";
    if (this.bucket(rt.plural).has(k)) throw ApiError.alreadyExists(rt.plural, o.metadata.name ?? "");
    this.bucket(rt.plural).set(k, this.stamp(o));
    this.emit(rt.plural, "ADDED", o);
    return structuredClone(o);
  }

  async update<T extends KubeObject>(rt: ResourceRef, obj: T): Promise<T> {
    this.check();
    const k = this.key(rt.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name ?? "");
    if (!this.bucket(rt.plural).has(k)) throw ApiError.notFound(rt.plural, obj.metadata.name ?? "");
    const o = this.stamp(structuredClone(obj));
    this.bucket(rt.plural).set(k, o);
    this.emit(rt.plural, "MODIFIED", o);
    return structuredClone(o) as T;
  }

  updateStatus<T extends KubeObject>(rt: ResourceRef, obj: T): Promise<T> {
    return this.update(rt, obj);
  }

  async patch<T extends KubeObject>(rt: ResourceRef, namespace: string | undefined, name: string, patch: unknown): Promise<T> {
    const cur = await this.get<T>(rt, namespace, name);
    return this.update(rt, mergePatch(cur, patch) as T);
  }

  async delete(rt: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<KubeObject> {
    this.check();
    this.deletes.push({ plural: rt.plural, namespace, name, opts });
    const k = this.key(rt.namespaced ? namespace : undefined, name);
    const o = this.bucket(rt.plural).get(k);
    if (!o) throw ApiError.notFound(rt.plural, name);
    if (opts?.gracePeriodSeconds !== 0 && rt.plural === "pods" && !o.metadata.deletionTimestamp) {
      // Graceful: mark, and let the kubelet finish the delete.
      o.metadata.deletionTimestamp = new Date().toISOString();
      o.metadata.deletionGracePeriodSeconds = opts?.gracePeriodSeconds ?? (o.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds ?? 30;
      this.stamp(o);
      this.emit(rt.plural, "MODIFIED", o);
      return structuredClone(o);
    }
    this.bucket(rt.plural).delete(k);
    this.emit(rt.plural, "DELETED", this.stamp(o));
    return structuredClone(o);
  }

  watch<T extends KubeObject>(rt: ResourceRef, namespace: string | undefined, opts?: WatchOptions): WatchStream<T> {
    const queue: WatchEvent[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    const listener: Listener = (e) => {
      if (namespace && e.object.metadata.namespace !== namespace) return;
      if (!this.matches(e.object, opts?.fieldSelector)) return;
      queue.push(e);
      wake?.();
    };
    let set = this.listeners.get(rt.plural);
    if (!set) this.listeners.set(rt.plural, (set = new Set()));
    set.add(listener);
    const close = () => {
      closed = true;
      set.delete(listener);
      wake?.();
    };
    const down = () => this.down;
    return {
      close,
      async *[Symbol.asyncIterator]() {
        while (!closed) {
          if (down()) throw ApiError.unavailable("server down (fake)");
          const e = queue.shift();
          if (e) {
            yield e as WatchEvent<T>;
            continue;
          }
          await new Promise<void>((r) => {
            wake = r;
            setTimeout(r, 100);
          });
        }
      },
    };
  }

  async bind(): Promise<void> {
    throw new Error("not in the fake");
  }

  async request(): Promise<Response> {
    throw new Error("not in the fake");
  }

  pod(ns: string, name: string): KubeObject | undefined {
    return this.bucket("pods").get(this.key(ns, name));
  }
}
