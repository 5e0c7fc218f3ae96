// An informer keeps a local cache of one kind in step with the API server, like
// client-go's: list, then watch from the list's resourceVersion. When the watch
// breaks it resumes from the last seen revision; when that revision is gone
// (410) it relists and emits the difference between the new list and the cache,
// so handlers see every change exactly as if the watch had never broken.
import { isApiError } from "../api/errors.ts";
import { namespacedName } from "../api/meta.ts";
import { apiVersionOf } from "../api/resource-type.ts";
import type { KubeObject } from "../api/types.ts";
import { logger } from "../util/log.ts";
import type { Client, ResourceRef, WatchStream } from "./client.ts";

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** First retry delay after a failed list or watch (ms); doubles up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface EventHandlers<T> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

/** Cache key of an object: the controllers' work-queue key, so one definition serves both. */
export { namespacedName as objectKey, splitNamespacedName as splitObjectKey } from "../api/meta.ts";

const log = logger("informer");

export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: EventHandlers<T>[] = [];
  private synced = false;
  private stopped = false;
  private started = false;
  private stream?: WatchStream<T>;
  private wake?: () => void;
  private backoffMs: number;
  /** The revision the cache reflects; the next watch resumes after it. */
  lastSyncResourceVersion = "";

  constructor(
    private readonly client: Client,
    private readonly rt: ResourceRef,
    private readonly opts: InformerOptions = {},
  ) {
    this.backoffMs = opts.initialBackoffMs ?? 100;
  }

  on(handlers: EventHandlers<T>): this {
    this.handlers.push(handlers);
    return this;
  }

  /** Resolves once the first list is in the cache (retrying failed lists); the watch keeps running until stop(). */
  async start(): Promise<void> {
    if (this.started) throw new Error(`informer for ${this.rt.plural} already started`);
    this.started = true;
    while (!this.stopped) {
      try {
        await this.relist();
        break;
      } catch (err) {
        log.warn("list failed; retrying", { resource: this.rt.plural, error: err });
        await this.backoff();
      }
    }
    if (this.stopped) return;
    this.synced = true;
    void this.watchLoop();
  }

  stop(): void {
    this.stopped = true;
    this.stream?.close();
    this.wake?.();
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** namespace "" for cluster-scoped objects. */
  get(namespace: string, name: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  private async watchLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.watchOnce();
      } catch (err) {
        if (this.stopped) return;
        if (isApiError(err, "Gone")) {
          log.info("watch revision compacted; relisting", { resource: this.rt.plural, resourceVersion: this.lastSyncResourceVersion });
          await this.relistWithRetry();
          continue;
        }
        log.warn("watch failed; retrying", { resource: this.rt.plural, error: err });
        await this.backoff();
      }
    }
  }

  /** One watch stream until it ends. A stream that ends without any event is backed off, so a server that drops watches is not hammered. */
  private async watchOnce(): Promise<void> {
    const stream = this.client.watch<T>(this.rt, this.opts.namespace, {
      resourceVersion: this.lastSyncResourceVersion,
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      allowWatchBookmarks: true,
    });
    this.stream = stream;
    let sawEvent = false;
    try {
      for await (const event of stream) {
        if (this.stopped) return;
        sawEvent = true;
        this.resetBackoff();
        const rv = event.object?.metadata?.resourceVersion;
        switch (event.type) {
          case "ADDED":
          case "MODIFIED":
            this.upsert(event.object);
            break;
          case "DELETED":
            this.remove(event.object);
            break;
          case "BOOKMARK":
            break;
          default:
            continue;
        }
        if (rv) this.lastSyncResourceVersion = rv;
      }
    } finally {
      stream.close();
      this.stream = undefined;
    }
    if (!sawEvent && !this.stopped) await this.backoff();
  }

  private async relistWithRetry(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.relist();
        return;
      } catch (err) {
        log.warn("relist failed; retrying", { resource: this.rt.plural, error: err });
        await this.backoff();
      }
    }
  }

  /** List everything and bring the cache (and the handlers) in line with it. */
  private async relist(): Promise<void> {
    const list = await this.client.list<T>(this.rt, this.opts.namespace, {
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
    });
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const item of list.items) {
      // List items may omit apiVersion/kind, as in Kubernetes; handlers expect complete objects.
      const obj = { ...item, apiVersion: item.apiVersion ?? apiVersionOf(this.rt), kind: item.kind ?? this.rt.kind } as T;
      seen.add(namespacedName(obj));
      this.upsert(obj);
    }
    for (const [key, old] of this.cache) if (!seen.has(key)) this.remove(old);
    this.lastSyncResourceVersion = list.metadata.resourceVersion ?? "";
    this.resetBackoff();
  }

  private upsert(obj: T): void {
    const key = namespacedName(obj);
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    if (!old) return this.emit((h) => h.add?.(obj));
    if (old.metadata.resourceVersion && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.emit((h) => h.update?.(old, obj));
  }

  private remove(obj: T): void {
    const key = namespacedName(obj);
    const old = this.cache.get(key);
    if (!old) return;
    this.cache.delete(key);
    this.emit((h) => h.delete?.(obj));
  }

  private emit(call: (h: EventHandlers<T>) => void): void {
    for (const h of this.handlers) {
      try {
        call(h);
      } catch (err) {
        log.error("event handler failed", { resource: this.rt.plural, error: err });
      }
    }
  }

  private resetBackoff(): void {
    this.backoffMs = this.opts.initialBackoffMs ?? 100;
  }

  /** Sleep for the current backoff (cut short by stop()) and double it. */
  private backoff(): Promise<void> {
    const ms = this.backoffMs;
    this.backoffMs = Math.min(ms * 2, this.opts.maxBackoffMs ?? 30_000);
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
