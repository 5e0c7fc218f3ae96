// The pod event wiring every pod-owning controller (ReplicaSet, RC, Job,
// DaemonSet) shares: a pod change wakes its controller — or, for an orphan,
// every owner whose selector matches it, so it can be adopted — and settles
// the owner's expectations.
import { controllerOf, isBeingDeleted, namespacedName } from "../api/meta.ts";
import type { KubeObject, Pod } from "../api/types.ts";
import { isApiError } from "../api/errors.ts";
import { Pods } from "../api/registry.ts";
import type { Client } from "../client/client.ts";
import type { Informer } from "../client/informer.ts";
import type { WorkQueue } from "../client/workqueue.ts";
import { adoptPatch, releasePatch } from "./controller-ref.ts";
import type { Expectations } from "./expectations.ts";

export interface OwnedPodWiring<O extends KubeObject> {
  kind: string;
  owners: Informer<O>;
  queue: WorkQueue<string>;
  expectations: Expectations;
  /** Does this owner's selector match these labels? */
  selects(owner: O, labels: Record<string, string>): boolean;
}

function ownerKeyOf(pod: Pod, kind: string): string | undefined {
  const ref = controllerOf(pod);
  if (!ref || ref.kind !== kind) return undefined;
  return `${pod.metadata.namespace}/${ref.name}`;
}

export function wireOwnedPods<O extends KubeObject>(pods: Informer<Pod>, w: OwnedPodWiring<O>): void {
  const wakeMatchingOwners = (pod: Pod) => {
    if (controllerOf(pod) || isBeingDeleted(pod)) return;
    for (const owner of w.owners.list()) {
      if (owner.metadata.namespace === pod.metadata.namespace && w.selects(owner, pod.metadata.labels ?? {})) w.queue.add(namespacedName(owner));
    }
  };
  pods.on({
    add(pod) {
      const key = ownerKeyOf(pod, w.kind);
      if (!key) return wakeMatchingOwners(pod);
      if (isBeingDeleted(pod)) w.expectations.deletionObserved(key, pod.metadata.uid ?? "");
      else w.expectations.creationObserved(key);
      w.queue.add(key);
    },
    update(old, pod) {
      const oldKey = ownerKeyOf(old, w.kind);
      const key = ownerKeyOf(pod, w.kind);
      if (key && isBeingDeleted(pod) && !isBeingDeleted(old)) w.expectations.deletionObserved(key, pod.metadata.uid ?? "");
      if (oldKey && oldKey !== key) w.queue.add(oldKey);
      if (key) w.queue.add(key);
      else wakeMatchingOwners(pod);
    },
    delete(pod) {
      const key = ownerKeyOf(pod, w.kind);
      if (!key) return;
      w.expectations.deletionObserved(key, pod.metadata.uid ?? "");
      w.queue.add(key);
    },
  });
}

/** Enqueue the object's own key on every change. */
export function wireSelf<T extends KubeObject>(inf: Informer<T>, queue: WorkQueue<string>): void {
  inf.on({
    add: (o) => queue.add(namespacedName(o)),
    update: (_, o) => queue.add(namespacedName(o)),
    delete: (o) => queue.add(namespacedName(o)),
  });
}

/** Runs `fn` over items with at most `limit` in flight; returns the settled results in order. */
export async function inBatches<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = [];
  for (let i = 0; i < items.length; i += limit) {
    results.push(...(await Promise.allSettled(items.slice(i, i + limit).map(fn))));
  }
  return results;
}

/** Write the adoptions and releases a claim decided (conflicts are left for the next sync). */
export async function settleClaim(client: Client, owner: KubeObject, adopt: Pod[], release: Pod[]): Promise<void> {
  for (const pod of adopt) {
    await client.patch(Pods, pod.metadata.namespace, pod.metadata.name ?? "", adoptPatch(pod, owner), "merge");
  }
  for (const pod of release) {
    await client.patch(Pods, pod.metadata.namespace, pod.metadata.name ?? "", releasePatch(pod, owner.metadata.uid ?? ""), "merge").catch((err: unknown) => {
      if (!isApiError(err, "NotFound")) throw err;
    });
  }
}

/** The API refused a create because the namespace is being deleted: nothing to retry or report. */
export function isNamespaceTerminating(err: unknown): boolean {
  return isApiError(err, "Forbidden") && (err.details?.causes ?? []).some((c) => c.reason === "NamespaceTerminating");
}
