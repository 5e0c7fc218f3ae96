// ReplicaSet (apps/v1) and ReplicationController (core/v1): keep spec.replicas
// pods matching the selector running. One pure step decides; the loop claims
// pods, creates and deletes, and writes status.
import { isApiError } from "../api/errors.ts";
import { isBeingDeleted, podIsAvailable, podIsReady, setCondition, splitNamespacedName } from "../api/meta.ts";
import { Pods, ReplicaSets, ReplicationControllers } from "../api/registry.ts";
import type { ResourceType } from "../api/resource-type.ts";
import { labelSelectorFromObject, matches } from "../api/selectors.ts";
import type { Condition, KubeObject, Pod, PodTemplateSpec, ReplicaSet, ReplicaSetStatus, ReplicationController } from "../api/types.ts";
import { claimObjects, workloadSelects } from "./controller-ref.ts";
import { Expectations } from "./expectations.ts";
import type { ControllerContext, ControllerDefinition, SyncResult } from "./manager.ts";
import { inBatches, isNamespaceTerminating, settleClaim, wireOwnedPods, wireSelf } from "./owned-pods.ts";
import { podFromTemplate, podIsActive, podsToDelete } from "./pod-util.ts";
import { canonicalJson } from "./template-hash.ts";

/** Most pods created or deleted in one sync (Kubernetes' burstReplicas). */
export const burstReplicas = 500;

/** What the pure step needs of a ReplicaSet or ReplicationController. */
export interface ReplicaSetLike {
  replicas: number;
  minReadySeconds: number;
  generation?: number;
  templateLabels: Record<string, string>;
  status?: ReplicaSetStatus;
}

export interface ReplicaSetPlan {
  create: number;
  delete: Pod[];
  status: ReplicaSetStatus;
  /** Look again then: a ready pod becomes available after minReadySeconds. */
  requeueAfterMs?: number;
}

/**
 * The decision for one ReplicaSet over the pods it owns. `manage` is false while
 * earlier creations/deletions are not yet seen (or the RS is being deleted):
 * then only status is computed.
 */
export function reconcileReplicaSet(rs: ReplicaSetLike, owned: Pod[], now: number, manage = true): ReplicaSetPlan {
  const active = owned.filter(podIsActive);
  const diff = active.length - rs.replicas;
  let create = 0;
  let del: Pod[] = [];
  if (manage && diff < 0) create = Math.min(-diff, burstReplicas);
  if (manage && diff > 0) del = podsToDelete(active, Math.min(diff, burstReplicas));

  let requeueAfterMs: number | undefined;
  let ready = 0;
  let available = 0;
  let fullyLabeled = 0;
  const templateSelector = labelSelectorFromObject({ matchLabels: rs.templateLabels });
  for (const pod of active) {
    if (matches(templateSelector, pod.metadata.labels)) fullyLabeled++;
    if (!podIsReady(pod)) continue;
    ready++;
    if (podIsAvailable(pod, rs.minReadySeconds, now)) available++;
    else requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, rs.minReadySeconds * 1000);
  }
  const status: ReplicaSetStatus = {
    replicas: active.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.generation,
  };
  if (rs.status?.conditions?.length) status.conditions = rs.status.conditions;
  return { create, delete: del, status, requeueAfterMs };
}

export function statusChanged(old: ReplicaSetStatus | undefined, next: ReplicaSetStatus): boolean {
  return canonicalJson(old ?? {}) !== canonicalJson(next);
}

// ---- the loop, shared by both kinds -------------------------------------------

interface Flavor<T extends KubeObject> {
  name: string;
  rt: ResourceType<T>;
  selects(owner: T, labels: Record<string, string>): boolean;
  view(owner: T): ReplicaSetLike;
  template(owner: T): PodTemplateSpec | undefined;
}

function replicaSetSelects(rs: ReplicaSet, labels: Record<string, string>): boolean {
  return workloadSelects(rs.spec.selector, labels);
}

function rcSelects(rc: ReplicationController, labels: Record<string, string>): boolean {
  const sel = rc.spec.selector ?? rc.spec.template?.metadata?.labels ?? {};
  return workloadSelects({ matchLabels: sel }, labels);
}

const rsFlavor: Flavor<ReplicaSet> = {
  name: "replicaset",
  rt: ReplicaSets,
  selects: replicaSetSelects,
  view: (rs) => ({
    replicas: rs.spec.replicas ?? 1,
    minReadySeconds: rs.spec.minReadySeconds ?? 0,
    generation: rs.metadata.generation,
    templateLabels: rs.spec.template?.metadata?.labels ?? {},
    status: rs.status,
  }),
  template: (rs) => rs.spec.template,
};

const rcFlavor: Flavor<ReplicationController> = {
  name: "replicationcontroller",
  rt: ReplicationControllers,
  selects: rcSelects,
  view: (rc) => ({
    replicas: rc.spec.replicas ?? 1,
    minReadySeconds: rc.spec.minReadySeconds ?? 0,
    generation: rc.metadata.generation,
    templateLabels: rc.spec.template?.metadata?.labels ?? {},
    status: rc.status,
  }),
  template: (rc) => rc.spec.template,
};

function definition<T extends KubeObject>(flavor: Flavor<T>): ControllerDefinition {
  return {
    name: flavor.name,
    setup(ctx: ControllerContext, queue) {
      const owners = ctx.informer(flavor.rt);
      const pods = ctx.informer(Pods);
      const expectations = new Expectations(30_000, ctx.now);
      wireSelf(owners, queue);
      wireOwnedPods(pods, { kind: flavor.rt.kind, owners, queue, expectations, selects: flavor.selects });
      return (key) => syncOne(ctx, flavor, key, owners.getByKey(key), pods.list(), expectations);
    },
  };
}

async function syncOne<T extends KubeObject>(
  ctx: ControllerContext,
  flavor: Flavor<T>,
  key: string,
  owner: T | undefined,
  allPods: Pod[],
  expectations: Expectations,
): Promise<SyncResult> {
  if (!owner) {
    expectations.forget(key);
    return;
  }
  const { namespace } = splitNamespacedName(key);
  const claim = claimObjects(owner, (labels) => flavor.selects(owner, labels), allPods.filter((p) => p.metadata.namespace === namespace));
  await settleClaim(ctx.client, owner, claim.adopt, claim.release);

  const manage = expectations.satisfied(key) && !isBeingDeleted(owner);
  const plan = reconcileReplicaSet(flavor.view(owner), claim.owned, ctx.now(), manage);
  const template = flavor.template(owner);

  // A failed write is retried with backoff (the error is rethrown after the status is written).
  let failure: unknown;
  if (plan.create > 0 && template) {
    expectations.expect(key, plan.create);
    const pod = podFromTemplate(template, owner);
    const results = await inBatches(Array.from({ length: plan.create }), 50, () => ctx.client.create(Pods, structuredClone(pod)));
    for (const r of results) {
      if (r.status === "fulfilled") continue;
      expectations.creationObserved(key);
      if (isNamespaceTerminating(r.reason)) continue;
      failure ??= r.reason;
      ctx.event(owner, "Warning", "FailedCreate", `Error creating: ${(r.reason as Error).message}`);
    }
    const made = results.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<Pod>).value.metadata.name);
    if (made.length) ctx.event(owner, "Normal", "SuccessfulCreate", `Created pod${made.length > 1 ? "s" : ""}: ${made.join(", ")}`);
  }
  if (plan.delete.length) {
    expectations.expect(key, 0, plan.delete.map((p) => p.metadata.uid ?? ""));
    const results = await inBatches(plan.delete, 50, (p) => ctx.client.delete(Pods, namespace, p.metadata.name ?? ""));
    results.forEach((r, i) => {
      const pod = plan.delete[i];
      if (r.status === "fulfilled") return;
      expectations.deletionObserved(key, pod.metadata.uid ?? "");
      if (isApiError(r.reason, "NotFound")) return;
      failure ??= r.reason;
      ctx.event(owner, "Warning", "FailedDelete", `Error deleting pod ${pod.metadata.name}: ${(r.reason as Error).message}`);
    });
    ctx.event(owner, "Normal", "SuccessfulDelete", `Deleted pod${plan.delete.length > 1 ? "s" : ""}: ${plan.delete.map((p) => p.metadata.name).join(", ")}`);
  }
  const old = (owner.status ?? undefined) as ReplicaSetStatus | undefined;
  plan.status.conditions = replicaFailure(plan.status.conditions, plan.create > 0 ? failure : undefined, plan.create > 0 || plan.delete.length > 0, ctx.now());
  if (!plan.status.conditions?.length) delete plan.status.conditions;
  if (statusChanged(old, plan.status)) {
    await ctx.client.patch(flavor.rt, namespace, owner.metadata.name ?? "", { status: withNulls(old, plan.status) }, "merge", "status");
  }
  if (failure) throw failure;
  return plan.requeueAfterMs;
}

/**
 * The ReplicaFailure condition, as Kubernetes keeps it: set when creating pods
 * failed (quota, admission), dropped once a sync's writes go through.
 */
export function replicaFailure(conditions: Condition[] | undefined, failure: unknown, wrote: boolean, now: number): Condition[] | undefined {
  if (failure) {
    return setCondition(conditions, { type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: (failure as Error).message }, new Date(now));
  }
  return wrote ? conditions?.filter((c) => c.type !== "ReplicaFailure") : conditions;
}

/** A merge patch must null out fields the new status no longer has. */
function withNulls(old: ReplicaSetStatus | undefined, next: ReplicaSetStatus): Record<string, number | Condition[] | null | undefined> {
  const out: Record<string, number | Condition[] | null | undefined> = { ...next };
  for (const k of Object.keys(old ?? {})) if (!(k in next)) out[k] = null;
  return out;
}

export const replicaSetController = definition(rsFlavor);
export const replicationController = definition(rcFlavor);
