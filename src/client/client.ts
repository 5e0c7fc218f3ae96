// The interface every component uses to talk to the API. There is one
// implementation, ApiClient (src/client/api-client.ts), over a `fetch`
// function: over HTTPS for agents and the CLI, and straight into the server's
// hono app for in-process components (scheduler, controllers, embedded agent),
// so both go through the same admission, validation and store path.
import type { ResourceType } from "../api/resource-type.ts";
import type { DeleteOptions, KubeList, KubeObject, WatchEvent } from "../api/types.ts";

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Resume after this revision; absent: start from now. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export type PatchType = "merge" | "json" | "strategic";

/** A live watch: iterate its events; `close()` ends it. ERROR events are thrown as ApiError. */
export interface WatchStream<T extends KubeObject = KubeObject> extends AsyncIterable<WatchEvent<T>> {
  close(): void;
}

/** Anything the registry can name: a ResourceType, or just its routing fields. */
export type ResourceRef = Pick<ResourceType, "group" | "version" | "plural" | "namespaced" | "kind">;

export interface Client {
  get<T extends KubeObject>(rt: ResourceRef, namespace: string | undefined, name: string): Promise<T>;
  list<T extends KubeObject>(rt: ResourceRef, namespace: string | undefined, opts?: ListOptions): Promise<KubeList<T>>;
  /** Namespace comes from obj.metadata.namespace (namespaced kinds). */
  create<T extends KubeObject>(rt: ResourceRef, obj: T): Promise<T>;
  /** Full replace with compare-and-swap on obj.metadata.resourceVersion when set. */
  update<T extends KubeObject>(rt: ResourceRef, obj: T): Promise<T>;
  updateStatus<T extends KubeObject>(rt: ResourceRef, obj: T): Promise<T>;
  patch<T extends KubeObject>(rt: ResourceRef, namespace: string | undefined, name: string, patch: unknown, type?: PatchType, subresource?: "status"): Promise<T>;
  delete(rt: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<KubeObject>;
  watch<T extends KubeObject>(rt: ResourceRef, namespace: string | undefined, opts?: WatchOptions): WatchStream<T>;
  /**
   * POST pods/{name}/binding. With `uid`, the bind fails (Conflict) when the pod
   * by that name is not the one the caller decided about — e.g. deleted and
   * re-created while the bind was in flight.
   */
  bind(namespace: string, podName: string, nodeName: string, uid?: string): Promise<void>;
  /** Any other path (subresources, logs, discovery): raw request, errors as ApiError. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}
