// Pod GC: force-deletes pods nobody else will finish off —
//  * pods bound to a node that no longer exists;
//  * pods being deleted on a node that is not Ready (its kubelet cannot confirm),
//    once their grace period is over, so their controllers can count them gone;
//  * pods being deleted that were never scheduled;
//  * the oldest terminated pods beyond terminatedPodGcThreshold.
import { isApiError } from "../api/errors.ts";
import { getCondition, isBeingDeleted, namespacedName, podIsTerminal, splitNamespacedName } from "../api/meta.ts";
import { Nodes, Pods } from "../api/registry.ts";
import type { Node, Pod } from "../api/types.ts";
import type { ControllerContext, ControllerDefinition, SyncResult } from "./manager.ts";

export type PodGcDecision = { action: "none" } | { action: "forceDelete"; reason: string } | { action: "wait"; ms: number } | { action: "checkNode" };

/** When a terminating pod's grace is over: the API server sets deletionTimestamp to request time + grace. */
function graceEnds(pod: Pod): number {
  const ts = Date.parse(pod.metadata.deletionTimestamp ?? "");
  return Number.isNaN(ts) ? 0 : ts;
}

/** `node` undefined: not in the cache (the loop confirms with a live read before acting). */
export function decidePod(pod: Pod, node: Node | undefined, now: number): PodGcDecision {
  const nodeName = pod.spec.nodeName;
  if (!nodeName) return isBeingDeleted(pod) ? { action: "forceDelete", reason: "unscheduled pod being deleted" } : { action: "none" };
  if (!node) return { action: "checkNode" };
  // A Ready node's kubelet finishes its own pods.
  if (!isBeingDeleted(pod) || getCondition(node.status?.conditions, "Ready")?.status === "True") return { action: "none" };
  if (podIsTerminal(pod)) return { action: "forceDelete", reason: "terminated pod on a node that is not ready" };
  const due = graceEnds(pod);
  if (due > now) return { action: "wait", ms: due - now + 1 };
  return { action: "forceDelete", reason: `node ${nodeName} is not ready` };
}

/** Terminated pods to delete, oldest first, to get down to `threshold`. */
export function terminatedPodsOverThreshold(pods: Pod[], threshold: number): Pod[] {
  const done = pods.filter((p) => podIsTerminal(p) && !isBeingDeleted(p));
  if (done.length <= threshold) return [];
  return done.sort((a, b) => (Date.parse(a.metadata.creationTimestamp ?? "") || 0) - (Date.parse(b.metadata.creationTimestamp ?? "") || 0)).slice(0, done.length - threshold);
}

const thresholdKey = "\u0000terminated";

export const podGcController: ControllerDefinition = {
  name: "podgc",
  setup(ctx, queue) {
    const pods = ctx.informer(Pods);
    const nodes = ctx.informer(Nodes);
    const onPod = (p: Pod) => {
      if (isBeingDeleted(p) || p.spec.nodeName) queue.add(namespacedName(p));
      if (podIsTerminal(p)) queue.add(thresholdKey);
    };
    pods.on({ add: onPod, update: (_, p) => onPod(p) });
    const wakePodsOn = (n: Node) => {
      for (const p of pods.list()) if (p.spec.nodeName === n.metadata.name) queue.add(namespacedName(p));
    };
    nodes.on({
      update: (old, n) => {
        if (getCondition(old.status?.conditions, "Ready")?.status !== getCondition(n.status?.conditions, "Ready")?.status) wakePodsOn(n);
      },
      delete: wakePodsOn,
    });
    return async (key) => {
      if (key === thresholdKey) return collectTerminated(ctx, pods.list());
      return syncPod(ctx, key, pods.getByKey(key), (name) => nodes.get("", name));
    };
  },
};

async function collectTerminated(ctx: ControllerContext, pods: Pod[]): Promise<SyncResult> {
  for (const pod of terminatedPodsOverThreshold(pods, ctx.options.terminatedPodGcThreshold)) {
    await forceDelete(ctx, pod, "terminated pods over the threshold", 0);
  }
}

async function syncPod(ctx: ControllerContext, key: string, pod: Pod | undefined, node: (name: string) => Node | undefined): Promise<SyncResult> {
  if (!pod) return;
  const decision = decidePod(pod, node(pod.spec.nodeName ?? ""), ctx.now());
  switch (decision.action) {
    case "none":
      return;
    case "wait":
      return decision.ms;
    case "forceDelete":
      return forceDelete(ctx, pod, decision.reason, 0);
    case "checkNode": {
      try {
        await ctx.client.get(Nodes, undefined, pod.spec.nodeName ?? "");
        return;
      } catch (err) {
        if (!isApiError(err, "NotFound")) throw err;
      }
      const { namespace, name } = splitNamespacedName(key);
      ctx.log.info("deleting pod bound to a missing node", { pod: `${namespace}/${name}`, node: pod.spec.nodeName });
      return forceDelete(ctx, pod, `node ${pod.spec.nodeName} does not exist`, 0);
    }
  }
}

async function forceDelete(ctx: ControllerContext, pod: Pod, reason: string, gracePeriodSeconds: number): Promise<void> {
  ctx.log.info("pod gc", { pod: namespacedName(pod), reason });
  await ctx.client
    .delete(Pods, pod.metadata.namespace, pod.metadata.name ?? "", { gracePeriodSeconds, preconditions: { uid: pod.metadata.uid } })
    .catch((err: unknown) => {
      if (!isApiError(err, "NotFound") && !isApiError(err, "Conflict")) throw err;
    });
}
