// DaemonSet: one pod on every eligible node. Daemon pods are placed by this
// controller (spec.nodeName), as Kubernetes did before scheduling them through
// the scheduler; eligibility is nodeSelector, required node affinity and taints.
import { isApiError } from "../api/errors.ts";
import { controllerOf, isBeingDeleted, namespacedName, podIsAvailable, podIsReady, splitNamespacedName } from "../api/meta.ts";
import { ControllerRevisions, DaemonSets, Nodes, Pods } from "../api/registry.ts";
import { nodeSelectorMapMatches, nodeSelectorTermMatches } from "../api/selectors.ts";
import type { ControllerRevision, DaemonSet, DaemonSetStatus, Node, Pod, Toleration } from "../api/types.ts";
import { claimObjects, workloadSelects } from "./controller-ref.ts";
import { reconcileRevisions, revisionHashLabel } from "./daemonset-history.ts";
import { Expectations } from "./expectations.ts";
import { scaledValue } from "./int-or-percent.ts";
import type { ControllerContext, ControllerDefinition, SyncResult } from "./manager.ts";
import { inBatches, isNamespaceTerminating, settleClaim, wireOwnedPods, wireSelf } from "./owned-pods.ts";
import { comparePodsForDeletion, podFromTemplate, podIsActive } from "./pod-util.ts";
import { untoleratedTaints } from "./taints.ts";
import { canonicalJson, computeTemplateHash } from "./template-hash.ts";

export { revisionHashLabel };

/** Tolerations every daemon pod gets, so node trouble does not evict daemons (as in Kubernetes). */
export const daemonTolerations: Toleration[] = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
];

export function nodeShouldRunDaemonPod(ds: DaemonSet, node: Node): boolean {
  if (isBeingDeleted(node)) return false;
  const spec = ds.spec.template.spec;
  if (!nodeSelectorMapMatches(spec.nodeSelector, node)) return false;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms?.length && !terms.some((t) => nodeSelectorTermMatches(t, node))) return false;
  const tolerations = [...(spec.tolerations ?? []), ...daemonTolerations];
  return untoleratedTaints(node.spec?.taints, tolerations, ["NoSchedule", "NoExecute"]).length === 0;
}

export interface DaemonSetPlan {
  /** Nodes that need a daemon pod. */
  create: string[];
  delete: Pod[];
  status: DaemonSetStatus;
  requeueAfterMs?: number;
}

export function reconcileDaemonSet(ds: DaemonSet, nodes: Node[], owned: Pod[], now: number, manage = true): DaemonSetPlan {
  const hash = computeTemplateHash(ds.spec.template);
  const minReady = ds.spec.minReadySeconds ?? 0;
  const plan: DaemonSetPlan = { create: [], delete: [], status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 } };
  const byNode = new Map<string, Pod[]>();
  for (const pod of owned) {
    const node = pod.spec.nodeName ?? "";
    byNode.set(node, [...(byNode.get(node) ?? []), pod]);
  }
  const known = new Set(nodes.map((n) => n.metadata.name ?? ""));
  let updated = 0;
  let available = 0;
  const oldPods: { pod: Pod; available: boolean }[] = [];

  for (const node of nodes) {
    const name = node.metadata.name ?? "";
    const pods = byNode.get(name) ?? [];
    const active = pods.filter(podIsActive);
    // A failed daemon pod is replaced.
    plan.delete.push(...pods.filter((p) => p.status?.phase === "Failed" && !isBeingDeleted(p)));
    if (!nodeShouldRunDaemonPod(ds, node)) {
      if (active.length) plan.status.numberMisscheduled++;
      plan.delete.push(...active);
      continue;
    }
    plan.status.desiredNumberScheduled++;
    if (active.length === 0) {
      if (!pods.some((p) => isBeingDeleted(p) && p.status?.phase !== "Failed")) plan.create.push(name);
      continue;
    }
    plan.status.currentNumberScheduled++;
    // Keep the best pod (current template, ready, oldest); extras go.
    const ranked = [...active].sort((a, b) => {
      const cur = Number(b.metadata.labels?.[revisionHashLabel] === hash) - Number(a.metadata.labels?.[revisionHashLabel] === hash);
      return cur !== 0 ? cur : comparePodsForDeletion(b, a);
    });
    const keep = ranked[0];
    plan.delete.push(...ranked.slice(1));
    const isAvailable = podIsAvailable(keep, minReady, now);
    if (podIsReady(keep)) {
      plan.status.numberReady++;
      if (!isAvailable) plan.requeueAfterMs = minReady * 1000;
    }
    if (isAvailable) available++;
    if (keep.metadata.labels?.[revisionHashLabel] === hash) updated++;
    else oldPods.push({ pod: keep, available: isAvailable });
  }
  // Pods on nodes that no longer exist.
  for (const [node, pods] of byNode) if (node && !known.has(node)) plan.delete.push(...pods.filter((p) => !isBeingDeleted(p)));

  const strategy = ds.spec.updateStrategy?.type ?? "RollingUpdate";
  if (strategy === "RollingUpdate") {
    const maxUnavailable = Math.max(scaledValue(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable, plan.status.desiredNumberScheduled, true, 1), 1);
    let unavailable = plan.status.desiredNumberScheduled - available;
    for (const { pod, available: avail } of oldPods) {
      if (!avail) plan.delete.push(pod);
      else if (unavailable < maxUnavailable) {
        plan.delete.push(pod);
        unavailable++;
      }
    }
  }
  if (!manage) {
    plan.create = [];
    plan.delete = [];
  }
  plan.status.observedGeneration = ds.metadata.generation;
  plan.status.updatedNumberScheduled = updated;
  plan.status.numberAvailable = available;
  plan.status.numberUnavailable = plan.status.desiredNumberScheduled - available;
  return plan;
}

/** A daemon pod for `node`: placed there directly and tolerating node trouble, so it is never evicted. */
export function daemonPod(ds: DaemonSet, hash: string, node: string): Pod {
  const pod = podFromTemplate(ds.spec.template, ds, { extraLabels: { [revisionHashLabel]: hash }, nodeName: node });
  const own = pod.spec.tolerations ?? [];
  const missing = daemonTolerations.filter((t) => !own.some((o) => o.key === t.key && o.effect === t.effect));
  pod.spec.tolerations = [...own, ...missing];
  return pod;
}

// ---- the loop -------------------------------------------------------------------

function daemonSetSelects(ds: DaemonSet, labels: Record<string, string>): boolean {
  return workloadSelects(ds.spec.selector, labels);
}

export const daemonSetController: ControllerDefinition = {
  name: "daemonset",
  setup(ctx, queue) {
    const daemonSets = ctx.informer(DaemonSets);
    const pods = ctx.informer(Pods);
    const nodes = ctx.informer(Nodes);
    const expectations = new Expectations(30_000, ctx.now);
    wireSelf(daemonSets, queue);
    wireOwnedPods(pods, { kind: "DaemonSet", owners: daemonSets, queue, expectations, selects: daemonSetSelects });
    const all = () => {
      for (const ds of daemonSets.list()) queue.add(namespacedName(ds));
    };
    nodes.on({
      add: all,
      update: (old, node) => {
        if (canonicalJson([old.metadata.labels, old.spec, old.metadata.deletionTimestamp]) !== canonicalJson([node.metadata.labels, node.spec, node.metadata.deletionTimestamp])) all();
      },
      delete: all,
    });
    const revisions = ctx.informer(ControllerRevisions);
    return (key) => syncDaemonSet(ctx, key, daemonSets.getByKey(key), nodes.list(), pods.list(), revisions.list(), expectations);
  },
};

async function syncDaemonSet(
  ctx: ControllerContext,
  key: string,
  ds: DaemonSet | undefined,
  nodes: Node[],
  allPods: Pod[],
  allRevisions: ControllerRevision[],
  expectations: Expectations,
): Promise<SyncResult> {
  if (!ds) {
    expectations.forget(key);
    return;
  }
  const { namespace, name } = splitNamespacedName(key);
  const claim = claimObjects(ds, (labels) => daemonSetSelects(ds, labels), allPods.filter((p) => p.metadata.namespace === namespace));
  await settleClaim(ctx.client, ds, claim.adopt, claim.release);
  const manage = expectations.satisfied(key) && !isBeingDeleted(ds);
  const plan = reconcileDaemonSet(ds, nodes, claim.owned, ctx.now(), manage);
  const hash = computeTemplateHash(ds.spec.template);
  if (!isBeingDeleted(ds)) await syncRevisions(ctx, ds, hash, allRevisions, claim.owned);

  let failure: unknown;
  if (plan.create.length) {
    expectations.expect(key, plan.create.length);
    const results = await inBatches(plan.create, 50, (node) =>
      ctx.client.create(Pods, daemonPod(ds, hash, node)),
    );
    results.forEach((r, i) => {
      if (r.status === "fulfilled") return ctx.event(ds, "Normal", "SuccessfulCreate", `Created pod: ${(r.value as Pod).metadata.name} on node ${plan.create[i]}`);
      expectations.creationObserved(key);
      if (isNamespaceTerminating(r.reason)) return;
      failure ??= r.reason;
      ctx.event(ds, "Warning", "FailedCreate", `Error creating pod on node ${plan.create[i]}: ${(r.reason as Error).message}`);
    });
  }
  if (plan.delete.length) {
    expectations.expect(key, 0, plan.delete.map((p) => p.metadata.uid ?? ""));
    const results = await inBatches(plan.delete, 50, (p) => ctx.client.delete(Pods, namespace, p.metadata.name ?? ""));
    results.forEach((r, i) => {
      const pod = plan.delete[i];
      if (r.status === "fulfilled") return ctx.event(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`);
      expectations.deletionObserved(key, pod.metadata.uid ?? "");
      if (isApiError(r.reason, "NotFound")) return;
      failure ??= r.reason;
      ctx.event(ds, "Warning", "FailedDelete", `Error deleting pod ${pod.metadata.name}: ${(r.reason as Error).message}`);
    });
  }
  if (canonicalJson(ds.status ?? {}) !== canonicalJson(plan.status)) {
    await ctx.client.patch(DaemonSets, namespace, name, { status: plan.status }, "merge", "status");
  }
  if (failure) throw failure;
  return plan.requeueAfterMs;
}

async function syncRevisions(ctx: ControllerContext, ds: DaemonSet, hash: string, allRevisions: ControllerRevision[], pods: Pod[]): Promise<void> {
  const namespace = ds.metadata.namespace;
  const owned = allRevisions.filter((cr) => cr.metadata.namespace === namespace && controllerOf(cr)?.uid === ds.metadata.uid);
  const inUse = new Set(pods.map((p) => p.metadata.labels?.[revisionHashLabel] ?? "").filter(Boolean));
  const plan = reconcileRevisions(ds, owned, hash, inUse);
  if (plan.create) {
    await ctx.client.create(ControllerRevisions, plan.create).catch((err: unknown) => {
      if (!isApiError(err, "AlreadyExists") && !isNamespaceTerminating(err)) throw err;
    });
  }
  if (plan.renumber) {
    await ctx.client.patch(ControllerRevisions, namespace, plan.renumber.cr.metadata.name ?? "", { revision: plan.renumber.revision }, "merge");
  }
  for (const cr of plan.delete) {
    await ctx.client.delete(ControllerRevisions, namespace, cr.metadata.name ?? "").catch((err: unknown) => {
      if (!isApiError(err, "NotFound")) throw err;
    });
  }
}
