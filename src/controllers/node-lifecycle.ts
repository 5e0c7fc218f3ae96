// Node lifecycle: notices nodes that stopped renewing their Lease (in
// kube-node-lease) and evicts pods from nodes that are unreachable or not ready.
//  * no renewal for nodeMonitorGracePeriod → the node's conditions become
//    Unknown ("Kubelet stopped posting node status.");
//  * Ready=Unknown → taint node.kubernetes.io/unreachable, Ready=False →
//    node.kubernetes.io/not-ready (NoSchedule and NoExecute), removed when the
//    node is Ready again;
//  * a pod on a node with a NoExecute taint it does not tolerate is deleted —
//    after its tolerationSeconds, or defaultUnreachableTolerationSeconds when it
//    has no toleration for the unreachable/not-ready taints (what Kubernetes'
//    DefaultTolerationSeconds admission would have given it).
// Heartbeats are timed by this controller's own clock when it sees a renewal,
// so clock skew between hosts does not matter.
import { getCondition, isBeingDeleted, namespacedName, podIsTerminal, setCondition } from "../api/meta.ts";
import { Leases, Nodes, Pods } from "../api/registry.ts";
import type { Condition, Node, Pod, Taint } from "../api/types.ts";
import type { PlannedEvent } from "./deployment.ts";
import type { ControllerContext, ControllerDefinition, SyncResult } from "./manager.ts";
import { findToleration } from "./taints.ts";
import { canonicalJson } from "./template-hash.ts";

export const unreachableTaintKey = "node.kubernetes.io/unreachable";
export const notReadyTaintKey = "node.kubernetes.io/not-ready";
export const nodeLeaseNamespace = "kube-node-lease";
const conditionTaintKeys = [unreachableTaintKey, notReadyTaintKey];

export interface NodePlan {
  /** New status conditions, when they change. */
  conditions?: Condition[];
  /** New taints, when they change. */
  taints?: Taint[];
  events: PlannedEvent[];
  /** When the node would turn Unknown without another heartbeat (ms from now). */
  requeueAfterMs?: number;
}

/** Health of one node, given when this controller last saw it heartbeat. */
export function reconcileNode(node: Node, lastHeartbeat: number, now: number, graceMs: number): NodePlan {
  const plan: NodePlan = { events: [] };
  const at = new Date(now);
  let conditions = node.status?.conditions ?? [];
  const ready = getCondition(conditions, "Ready");
  const silentFor = now - lastHeartbeat;
  if (silentFor > graceMs) {
    if (ready?.status !== "Unknown") {
      const types = new Set(["Ready", "MemoryPressure", "DiskPressure", "PIDPressure", ...conditions.map((c) => c.type)]);
      for (const type of types) {
        conditions = setCondition(
          conditions,
          { type, status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastHeartbeatTime: getCondition(conditions, type)?.lastHeartbeatTime },
          at,
        );
      }
      plan.conditions = conditions;
      plan.events.push({ type: "Normal", reason: "NodeNotReady", message: `Node ${node.metadata.name} status is now: NodeNotReady` });
    }
  } else {
    plan.requeueAfterMs = graceMs - silentFor + 1;
  }
  const status = getCondition(conditions, "Ready")?.status ?? (silentFor > graceMs ? "Unknown" : "True");
  const wantKey = status === "Unknown" ? unreachableTaintKey : status === "False" ? notReadyTaintKey : undefined;
  const taints = node.spec?.taints ?? [];
  const kept = taints.filter((t) => !conditionTaintKeys.includes(t.key) || t.key === wantKey);
  const next = [...kept];
  if (wantKey) {
    for (const effect of ["NoSchedule", "NoExecute"] as const) {
      if (!next.some((t) => t.key === wantKey && t.effect === effect)) next.push({ key: wantKey, effect, timeAdded: at.toISOString() });
    }
  }
  if (canonicalJson(next) !== canonicalJson(taints)) {
    plan.taints = next;
    // Our taints coming off is the node's recovery.
    if (status === "True") plan.events.push({ type: "Normal", reason: "NodeReady", message: `Node ${node.metadata.name} status is now: NodeReady` });
  }
  return plan;
}

/** The pod's conditions with Ready=False, or undefined when it is not Ready anyway. */
export function podNotReadyConditions(pod: Pod, now: number): Condition[] | undefined {
  if (getCondition(pod.status?.conditions, "Ready")?.status !== "True") return undefined;
  return setCondition(pod.status?.conditions, { type: "Ready", status: "False", reason: "NodeNotReady", message: "Node is not ready" }, new Date(now));
}

/**
 * When a pod on a node with these taints must be evicted (ms epoch); undefined
 * when it tolerates them indefinitely.
 */
export function podEvictionTime(pod: Pod, taints: Taint[], defaultTolerationSeconds: number, now: number): number | undefined {
  let at: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== "NoExecute") continue;
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    const toleration = findToleration(pod.spec.tolerations, taint);
    let seconds: number | undefined;
    if (!toleration) seconds = conditionTaintKeys.includes(taint.key) ? defaultTolerationSeconds : 0;
    else seconds = toleration.tolerationSeconds ?? undefined;
    if (seconds === undefined || seconds === null) continue;
    const due = added + Math.max(seconds, 0) * 1000;
    at = at === undefined ? due : Math.min(at, due);
  }
  return at;
}

// ---- the loop -------------------------------------------------------------------

export const nodeLifecycleController: ControllerDefinition = {
  name: "nodelifecycle",
  setup(ctx, queue) {
    const nodes = ctx.informer(Nodes);
    const leases = ctx.informer(Leases);
    const pods = ctx.informer(Pods);
    const heartbeats = new Map<string, number>();
    const beat = (name: string) => {
      heartbeats.set(name, ctx.now());
      queue.add(name);
    };
    nodes.on({
      add: (n) => beat(n.metadata.name ?? ""),
      update: (old, n) => {
        const was = getCondition(old.status?.conditions, "Ready");
        const is = getCondition(n.status?.conditions, "Ready");
        // The agent posting status counts as a heartbeat too.
        if (is && is.status !== "Unknown" && (is.lastHeartbeatTime !== was?.lastHeartbeatTime || is.status !== was?.status)) heartbeats.set(n.metadata.name ?? "", ctx.now());
        queue.add(n.metadata.name ?? "");
      },
      delete: (n) => {
        heartbeats.delete(n.metadata.name ?? "");
        queue.add(n.metadata.name ?? "");
      },
    });
    const leaseBeat = (l: { metadata: { namespace?: string; name?: string } }) => {
      if (l.metadata.namespace === nodeLeaseNamespace) beat(l.metadata.name ?? "");
    };
    leases.on({
      add: leaseBeat,
      update: (old, l) => {
        if (old.spec?.renewTime !== l.spec?.renewTime || old.metadata.resourceVersion !== l.metadata.resourceVersion) leaseBeat(l);
      },
    });
    const wakeNode = (p: Pod) => {
      if (p.spec.nodeName) queue.add(p.spec.nodeName);
    };
    pods.on({ add: wakeNode, update: (_, p) => wakeNode(p) });
    return (name) => syncNode(ctx, name, nodes.get("", name), heartbeats, pods.list());
  },
};

async function syncNode(ctx: ControllerContext, name: string, node: Node | undefined, heartbeats: Map<string, number>, allPods: Pod[]): Promise<SyncResult> {
  if (!node) return;
  const now = ctx.now();
  let last = heartbeats.get(name);
  if (last === undefined) heartbeats.set(name, (last = now));
  const plan = reconcileNode(node, last, now, ctx.options.nodeMonitorGracePeriodMs);
  if (plan.conditions) {
    ctx.log.info("node stopped heartbeating", { node: name, silentForMs: now - last });
    await ctx.client.patch(Nodes, undefined, name, { status: { conditions: plan.conditions } }, "merge", "status");
  }
  if (plan.taints) {
    await ctx.client.patch(Nodes, undefined, name, { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: plan.taints.length ? plan.taints : null } }, "merge");
  }
  for (const e of plan.events) ctx.event(node, e.type, e.reason, e.message);

  const nodeReady = getCondition(plan.conditions ?? node.status?.conditions, "Ready")?.status ?? "Unknown";
  if (nodeReady !== "True") await markPodsNotReady(ctx, name, allPods);

  const taints = plan.taints ?? node.spec?.taints ?? [];
  let next = plan.requeueAfterMs;
  for (const pod of allPods) {
    if (pod.spec.nodeName !== name || podIsTerminal(pod) || isBeingDeleted(pod)) continue;
    const at = podEvictionTime(pod, taints, ctx.options.defaultUnreachableTolerationSeconds, now);
    if (at === undefined) continue;
    if (at > now) {
      next = Math.min(next ?? Infinity, at - now + 1);
      continue;
    }
    ctx.log.info("evicting pod", { pod: namespacedName(pod), node: name });
    ctx.event(pod, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${namespacedName(pod)}`);
    await ctx.client.delete(Pods, pod.metadata.namespace, pod.metadata.name ?? "").catch((err: unknown) => ctx.log.debug("evict failed", { error: err }));
  }
  return next;
}

/**
 * Kubernetes' MarkPodsNotReady: pods on a node that is not Ready stop counting
 * as ready at once (so Services stop sending them traffic) instead of at
 * eviction. The kubelet, when it is back, reports their real readiness again.
 */
async function markPodsNotReady(ctx: ControllerContext, nodeName: string, allPods: Pod[]): Promise<void> {
  const now = ctx.now();
  for (const pod of allPods) {
    if (pod.spec.nodeName !== nodeName || podIsTerminal(pod)) continue;
    const conditions = podNotReadyConditions(pod, now);
    if (!conditions) continue;
    try {
      await ctx.client.patch(Pods, pod.metadata.namespace, pod.metadata.name ?? "", { metadata: { resourceVersion: pod.metadata.resourceVersion }, status: { conditions } }, "merge", "status");
      ctx.event(pod, "Warning", "NodeNotReady", "Node is not ready");
    } catch (err) {
      // A concurrent write (or a pod that is gone) is looked at again on the next sync.
      ctx.log.debug("could not mark pod not ready", { pod: namespacedName(pod), error: err });
    }
  }
}
