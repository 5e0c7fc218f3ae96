// Deployment: rolls a pod template out through ReplicaSets. The pure step
// (reconcileDeployment) takes the Deployment, the ReplicaSets it owns and their
// pods, and returns the ReplicaSet writes and the new status; the loop performs them.
import { isApiError } from "../api/errors.ts";
import { controllerOf, controllerRef, getCondition, isBeingDeleted, namespacedName, setCondition, splitNamespacedName } from "../api/meta.ts";
import { Deployments, Pods, ReplicaSets } from "../api/registry.ts";
import type { Condition, Deployment, DeploymentStatus, Pod, ReplicaSet } from "../api/types.ts";
import { adoptPatch, claimObjects, releasePatch, workloadSelects } from "./controller-ref.ts";
import { scaledValue } from "./int-or-percent.ts";
import type { ControllerContext, ControllerDefinition, SyncResult } from "./manager.ts";
import { isNamespaceTerminating, wireSelf } from "./owned-pods.ts";
import { canonicalJson, computeTemplateHash, podTemplateHashLabel, templatesEqual } from "./template-hash.ts";

export const revisionAnnotation = "deployment.kubernetes.io/revision";
export const desiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
export const maxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
export const changeCauseAnnotation = "kubernetes.io/change-cause";
export const restartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";

export interface PlannedEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface DeploymentPlan {
  /** A ReplicaSet to create for the current template. */
  create?: ReplicaSet;
  /** Replica counts to write (with the desired/max annotations). */
  scale: { rs: ReplicaSet; replicas: number }[];
  /** An existing ReplicaSet that becomes current again (rollback) gets the next revision. */
  setRevision?: { rs: ReplicaSet; revision: string };
  /** Running ReplicaSets whose desired/max-replicas annotations are behind the Deployment (no size change). */
  annotate: ReplicaSet[];
  /** Old ReplicaSets beyond revisionHistoryLimit. */
  delete: ReplicaSet[];
  /** The Deployment's own revision annotation, when it changes. */
  revision?: string;
  status: DeploymentStatus;
  events: PlannedEvent[];
  requeueAfterMs?: number;
}

export function revisionOf(rs: ReplicaSet): number {
  const n = Number(rs.metadata.annotations?.[revisionAnnotation]);
  return Number.isFinite(n) ? n : 0;
}

function replicasOf(rs: ReplicaSet): number {
  return rs.spec.replicas ?? 0;
}

function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = Date.parse(a.metadata.creationTimestamp ?? "") - Date.parse(b.metadata.creationTimestamp ?? "");
  return Number.isNaN(d) || d === 0 ? (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "") : d;
}

/** The ReplicaSet running the Deployment's current template (the oldest, if several). */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return rss.filter((rs) => templatesEqual(rs.spec.template, d.spec.template)).sort(byCreation)[0];
}

/** maxSurge rounds up, maxUnavailable down; both zero would stall, so unavailable becomes 1. */
export function rollingLimits(d: Deployment): { maxSurge: number; maxUnavailable: number } {
  const replicas = d.spec.replicas ?? 1;
  if (d.spec.strategy?.type === "Recreate") return { maxSurge: 0, maxUnavailable: 0 };
  const ru = d.spec.strategy?.rollingUpdate;
  const maxSurge = scaledValue(ru?.maxSurge, replicas, true, "25%");
  let maxUnavailable = scaledValue(ru?.maxUnavailable, replicas, false, "25%");
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, replicas) };
}

/** A ReplicaSet for the Deployment's current template, named {deployment}-{hash}. */
export function newReplicaSetFor(d: Deployment, replicas: number, revision: number): ReplicaSet {
  const hash = computeTemplateHash(d.spec.template, d.status?.collisionCount ?? 0);
  const template = structuredClone(d.spec.template);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [podTemplateHashLabel]: hash } };
  const annotations: Record<string, string> = {
    [revisionAnnotation]: String(revision),
    [desiredReplicasAnnotation]: String(d.spec.replicas ?? 1),
    [maxReplicasAnnotation]: String((d.spec.replicas ?? 1) + rollingLimits(d).maxSurge),
  };
  const cause = d.metadata.annotations?.[changeCauseAnnotation];
  if (cause) annotations[changeCauseAnnotation] = cause;
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...(template.metadata.labels ?? {}) },
      annotations,
      ownerReferences: [controllerRef(d)],
    },
    spec: {
      replicas,
      minReadySeconds: d.spec.minReadySeconds,
      selector: {
        ...d.spec.selector,
        matchLabels: { ...(d.spec.selector.matchLabels ?? {}), [podTemplateHashLabel]: hash },
      },
      template,
    },
  };
}

/**
 * One step of a Deployment's rollout. `rss` are the ReplicaSets it owns; `pods`
 * the pods in its namespace (Recreate waits for the old ones to be gone).
 */
export function reconcileDeployment(d: Deployment, rss: ReplicaSet[], pods: Pod[], now: number): DeploymentPlan {
  const plan: DeploymentPlan = { scale: [], annotate: [], delete: [], status: {}, events: [] };
  const replicas = d.spec.replicas ?? 1;
  const existingNew = findNewReplicaSet(d, rss);
  const olds = rss.filter((rs) => rs !== existingNew).sort(byCreation);
  const maxOldRevision = olds.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
  const nextRevision = maxOldRevision + 1;
  const deleting = isBeingDeleted(d);
  const paused = d.spec.paused === true;
  const { maxSurge, maxUnavailable } = rollingLimits(d);

  // Target sizes are collected first and turned into writes (and events) once, at the end.
  const targets = new Map<ReplicaSet, number>();
  const scaleTo = (rs: ReplicaSet, n: number) => void targets.set(rs, n);
  const planned = (rs: ReplicaSet) => targets.get(rs) ?? replicasOf(rs);

  let newRS = existingNew;
  if (!deleting) {
    if (newRS && revisionOf(newRS) <= maxOldRevision) {
      plan.setRevision = { rs: newRS, revision: String(nextRevision) };
    }
    if (paused) {
      planPausedScale(replicas, newRS, olds, scaleTo);
    } else if (d.spec.strategy?.type !== "Recreate" && isScalingEvent(d, [...(newRS ? [newRS] : []), ...olds])) {
      planScalingEvent(d, newRS, olds, maxSurge, scaleTo);
    } else if (d.spec.strategy?.type === "Recreate") {
      newRS = planRecreate(d, newRS, olds, pods, nextRevision, plan, scaleTo);
    } else {
      newRS = planRolling(d, newRS, olds, nextRevision, maxSurge, maxUnavailable, plan, scaleTo, planned);
    }
  }
  for (const [rs, n] of targets) {
    if (n === replicasOf(rs)) continue;
    plan.scale.push({ rs, replicas: n });
    plan.events.push({ type: "Normal", reason: "ScalingReplicaSet", message: `Scaled ${n > replicasOf(rs) ? "up" : "down"} replica set ${rs.metadata.name} from ${replicasOf(rs)} to ${n}` });
  }
  if (!deleting) {
    for (const rs of [...(existingNew ? [existingNew] : []), ...olds]) {
      if (planned(rs) > 0 && targets.get(rs) === undefined && annotationsBehind(rs, replicas, maxSurge)) plan.annotate.push(rs);
    }
  }
  const revision = plan.setRevision?.revision ?? (newRS ? String(revisionOf(newRS) || nextRevision) : undefined);
  if (revision && d.metadata.annotations?.[revisionAnnotation] !== revision) plan.revision = revision;

  // Old ReplicaSets beyond the history limit go once they are fully scaled down.
  if (!deleting && !paused) {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const idle = olds.filter((rs) => planned(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && !isBeingDeleted(rs));
    const excess = idle.length - limit;
    if (excess > 0) plan.delete = [...idle].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b)).slice(0, excess);
  }

  computeStatus(d, newRS === existingNew ? newRS : undefined, plan.create, olds, replicas, maxUnavailable, now, plan);
  return plan;
}

function annotatedNumber(rs: ReplicaSet, key: string): number | undefined {
  const raw = rs.metadata.annotations?.[key];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

function annotationsBehind(rs: ReplicaSet, replicas: number, maxSurge: number): boolean {
  return annotatedNumber(rs, desiredReplicasAnnotation) !== replicas || annotatedNumber(rs, maxReplicasAnnotation) !== replicas + maxSurge;
}

/** `replicas` changed since the running ReplicaSets were sized (their desired-replicas annotation says so). */
export function isScalingEvent(d: Deployment, rss: ReplicaSet[]): boolean {
  const replicas = d.spec.replicas ?? 1;
  return rss.some((rs) => {
    const desired = annotatedNumber(rs, desiredReplicasAnnotation);
    return replicasOf(rs) > 0 && desired !== undefined && desired !== replicas;
  });
}

/**
 * A change of `replicas` in the middle of a rolling update (Kubernetes'
 * proportional scaling): the running ReplicaSets keep their proportions, scaled
 * to the new size plus surge, each by the ratio of the new total to the total it
 * was last sized for (its max-replicas annotation); the rounding rest goes to
 * the largest. One running ReplicaSet simply takes the new size.
 */
function planScalingEvent(d: Deployment, newRS: ReplicaSet | undefined, olds: ReplicaSet[], maxSurge: number, scaleTo: (rs: ReplicaSet, n: number) => void): void {
  const replicas = d.spec.replicas ?? 1;
  const all = [...(newRS ? [newRS] : []), ...olds];
  const active = all.filter((rs) => replicasOf(rs) > 0);
  if (active.length <= 1) {
    const target = active[0] ?? newRS;
    if (target) scaleTo(target, replicas);
    return;
  }
  // A fully rolled out new ReplicaSet takes everything.
  if (newRS && replicasOf(newRS) === replicas && (newRS.status?.availableReplicas ?? 0) === replicas) {
    for (const rs of olds) scaleTo(rs, 0);
    return;
  }
  const allowed = replicas > 0 ? replicas + maxSurge : 0;
  const current = active.reduce((n, rs) => n + replicasOf(rs), 0);
  const toAdd = allowed - current;
  if (toAdd === 0) return;
  // Growing favours the newer, shrinking the older, among equal sizes.
  const sorted = [...active].sort((a, b) => replicasOf(b) - replicasOf(a) || (toAdd > 0 ? byCreation(b, a) : byCreation(a, b)));
  let added = 0;
  const sizes = new Map<ReplicaSet, number>();
  for (const rs of sorted) {
    const was = annotatedNumber(rs, maxReplicasAnnotation) ?? (d.status?.replicas || current);
    const fraction = replicas === 0 ? -replicasOf(rs) : Math.round((replicasOf(rs) * allowed) / Math.max(was, 1)) - replicasOf(rs);
    const room = toAdd - added;
    const step = toAdd > 0 ? Math.min(fraction, room) : Math.max(fraction, room);
    sizes.set(rs, replicasOf(rs) + step);
    added += step;
  }
  const first = sorted[0];
  sizes.set(first, Math.max((sizes.get(first) ?? 0) + toAdd - added, 0));
  for (const [rs, n] of sizes) scaleTo(rs, Math.max(n, 0));
}

/**
 * Split `total` over `sizes` in proportion (largest remainder; ties to the
 * earlier entry). All zero sizes: everything goes to the first.
 */
export function proportionalSizes(sizes: number[], total: number): number[] {
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sizes.length === 0) return [];
  if (sum === 0) return sizes.map((_, i) => (i === 0 ? total : 0));
  const exact = sizes.map((n) => (n * total) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    out[i]++;
    left--;
  }
  return out;
}

/** Paused: no rollout, but a change of replicas is spread over the running ReplicaSets in proportion. */
function planPausedScale(replicas: number, newRS: ReplicaSet | undefined, olds: ReplicaSet[], scaleTo: (rs: ReplicaSet, n: number) => void): void {
  const active = [...(newRS ? [newRS] : []), ...olds].filter((rs) => replicasOf(rs) > 0);
  if (active.length === 0) {
    if (newRS) scaleTo(newRS, replicas);
    return;
  }
  const sizes = proportionalSizes(active.map(replicasOf), replicas);
  active.forEach((rs, i) => scaleTo(rs, sizes[i]));
}

function planRecreate(
  d: Deployment,
  newRS: ReplicaSet | undefined,
  olds: ReplicaSet[],
  pods: Pod[],
  nextRevision: number,
  plan: DeploymentPlan,
  scaleTo: (rs: ReplicaSet, n: number) => void,
): ReplicaSet | undefined {
  const replicas = d.spec.replicas ?? 1;
  const running = olds.filter((rs) => replicasOf(rs) > 0);
  if (running.length) {
    for (const rs of running) scaleTo(rs, 0);
    return newRS;
  }
  const oldUids = new Set(olds.map((rs) => rs.metadata.uid));
  const oldPodsLeft = pods.some((p) => oldUids.has(controllerOf(p)?.uid) && (p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed"));
  if (oldPodsLeft) return newRS;
  if (!newRS) {
    plan.create = newReplicaSetFor(d, replicas, nextRevision);
    plan.events.push({ type: "Normal", reason: "ScalingReplicaSet", message: `Scaled up replica set ${plan.create.metadata.name} from 0 to ${replicas}` });
    return plan.create;
  }
  scaleTo(newRS, replicas);
  return newRS;
}

function planRolling(
  d: Deployment,
  newRS: ReplicaSet | undefined,
  olds: ReplicaSet[],
  nextRevision: number,
  maxSurge: number,
  maxUnavailable: number,
  plan: DeploymentPlan,
  scaleTo: (rs: ReplicaSet, n: number) => void,
  planned: (rs: ReplicaSet) => number,
): ReplicaSet | undefined {
  const replicas = d.spec.replicas ?? 1;
  const maxTotal = replicas + maxSurge;
  const oldTotal = olds.reduce((n, rs) => n + replicasOf(rs), 0);

  // 1. Scale the new ReplicaSet up as far as the surge allows.
  if (!newRS) {
    const room = Math.max(0, Math.min(maxTotal - oldTotal, replicas));
    plan.create = newReplicaSetFor(d, oldTotal === 0 ? replicas : room, nextRevision);
    plan.events.push({ type: "Normal", reason: "ScalingReplicaSet", message: `Scaled up replica set ${plan.create.metadata.name} from 0 to ${plan.create.spec.replicas}` });
    return plan.create;
  }
  const current = replicasOf(newRS);
  if (current > replicas) {
    scaleTo(newRS, replicas);
  } else if (current < replicas) {
    const total = oldTotal + current;
    if (total < maxTotal) {
      scaleTo(newRS, current + Math.min(maxTotal - total, replicas - current));
      return newRS; // let the caches catch up before scaling anything down
    }
  }
  if (oldTotal === 0) return newRS;

  // Counts below come from ReplicaSet status: act only when every ReplicaSet's status is current.
  const all = [newRS, ...olds];
  const synced = all.every((rs) => (rs.status?.observedGeneration ?? 0) >= (rs.metadata.generation ?? 0) && (rs.status?.replicas ?? 0) === replicasOf(rs));
  if (!synced) return newRS;

  // 2. Scale old ReplicaSets down, never below replicas - maxUnavailable available pods.
  const minAvailable = replicas - maxUnavailable;
  const allTotal = all.reduce((n, rs) => n + planned(rs), 0);
  const newUnavailable = planned(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allTotal - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return newRS;

  // First the old pods that are not available anyway.
  let scaledDown = 0;
  for (const rs of olds) {
    if (scaledDown >= maxScaledDown) break;
    const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
    if (replicasOf(rs) === 0 || unhealthy <= 0) continue;
    const n = Math.min(maxScaledDown - scaledDown, unhealthy);
    scaleTo(rs, replicasOf(rs) - n);
    scaledDown += n;
  }
  // Then available ones, as far as availability above the minimum allows.
  const available = all.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
  const budget = available - minAvailable;
  let taken = 0;
  for (const rs of olds) {
    if (taken >= budget) break;
    const have = planned(rs);
    if (have === 0) continue;
    const n = Math.min(have, budget - taken);
    scaleTo(rs, have - n);
    taken += n;
  }
  return newRS;
}

function computeStatus(
  d: Deployment,
  newRS: ReplicaSet | undefined,
  created: ReplicaSet | undefined,
  olds: ReplicaSet[],
  replicas: number,
  maxUnavailable: number,
  now: number,
  plan: DeploymentPlan,
): void {
  const all = [...(newRS ? [newRS] : []), ...olds];
  const sum = (f: (rs: ReplicaSet) => number | undefined) => all.reduce((n, rs) => n + (f(rs) ?? 0), 0);
  const prev = d.status ?? {};
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: sum((rs) => rs.status?.replicas),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum((rs) => rs.status?.readyReplicas),
    availableReplicas: sum((rs) => rs.status?.availableReplicas),
  };
  status.unavailableReplicas = Math.max(replicas - (status.availableReplicas ?? 0), 0);
  if (prev.collisionCount) status.collisionCount = prev.collisionCount;
  const at = new Date(now);
  const iso = at.toISOString();

  let conditions = prev.conditions ? [...prev.conditions] : [];
  const minAvailable = replicas - maxUnavailable;
  conditions = setCondition(
    conditions,
    (status.availableReplicas ?? 0) >= minAvailable
      ? { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability.", lastUpdateTime: iso }
      : { type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability.", lastUpdateTime: iso },
    at,
  );
  const availableCond = getCondition(conditions, "Available");
  const prevAvailable = getCondition(prev.conditions, "Available");
  if (availableCond && prevAvailable && prevAvailable.status === availableCond.status && prevAvailable.reason === availableCond.reason) {
    availableCond.lastUpdateTime = prevAvailable.lastUpdateTime;
  }

  const progressing = progressingCondition(d, newRS, created, olds, status, replicas, now, plan);
  if (progressing) conditions = setCondition(conditions, progressing, at);
  // A ReplicaSet that cannot create pods (quota, admission) shows on its Deployment too.
  const failure = [newRS, ...olds].map((rs) => getCondition(rs?.status?.conditions, "ReplicaFailure")).find((c) => c?.status === "True");
  conditions = failure ? setCondition(conditions, { ...failure, lastTransitionTime: undefined }, at) : conditions.filter((c) => c.type !== "ReplicaFailure");
  status.conditions = conditions;

  const cond = getCondition(conditions, "Progressing");
  const deadline = d.spec.progressDeadlineSeconds;
  if (cond?.status === "True" && cond.reason !== "NewReplicaSetAvailable" && deadline !== undefined && cond.lastUpdateTime) {
    const due = Date.parse(cond.lastUpdateTime) + deadline * 1000 - now;
    plan.requeueAfterMs = Math.max(due, 0) + 10;
  }
  plan.status = status;
}

function progressingCondition(
  d: Deployment,
  newRS: ReplicaSet | undefined,
  created: ReplicaSet | undefined,
  olds: ReplicaSet[],
  status: DeploymentStatus,
  replicas: number,
  now: number,
  plan: DeploymentPlan,
): Condition | undefined {
  const iso = new Date(now).toISOString();
  const prev = getCondition(d.status?.conditions, "Progressing");
  const rsName = created?.metadata.name ?? newRS?.metadata.name ?? "";
  if (d.spec.paused) return { type: "Progressing", status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused", lastUpdateTime: iso };
  if (prev?.reason === "DeploymentPaused") return { type: "Progressing", status: "True", reason: "DeploymentResumed", message: "Deployment is resumed", lastUpdateTime: iso };
  const oldPods = olds.reduce((n, rs) => n + (rs.status?.replicas ?? 0) + replicasOf(rs), 0);
  const complete =
    newRS !== undefined && !created && plan.scale.length === 0 && status.updatedReplicas === replicas && status.replicas === replicas && status.availableReplicas === replicas && oldPods === 0 && replicasOf(newRS) === replicas;
  if (complete) {
    if (prev?.reason === "NewReplicaSetAvailable" && prev.status === "True") return prev;
    return { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${rsName}" has successfully progressed.`, lastUpdateTime: iso };
  }
  if (created) return { type: "Progressing", status: "True", reason: "NewReplicaSetCreated", message: `Created new replica set "${rsName}"`, lastUpdateTime: iso };
  const prevStatus = d.status ?? {};
  const moved =
    plan.scale.length > 0 ||
    prevStatus.updatedReplicas !== status.updatedReplicas ||
    prevStatus.readyReplicas !== status.readyReplicas ||
    prevStatus.availableReplicas !== status.availableReplicas ||
    prevStatus.replicas !== status.replicas;
  if (moved || !prev || prev.reason === "NewReplicaSetAvailable") {
    return { type: "Progressing", status: "True", reason: "ReplicaSetUpdated", message: `ReplicaSet "${rsName}" is progressing.`, lastUpdateTime: iso };
  }
  const deadline = d.spec.progressDeadlineSeconds;
  if (deadline !== undefined && prev.status === "True" && prev.lastUpdateTime && Date.parse(prev.lastUpdateTime) + deadline * 1000 <= now) {
    plan.events.push({ type: "Warning", reason: "ProgressDeadlineExceeded", message: `Deployment "${d.metadata.name}" has timed out progressing.` });
    return { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: `ReplicaSet "${rsName}" has timed out progressing.`, lastUpdateTime: iso };
  }
  return prev;
}

export function deploymentStatusChanged(old: DeploymentStatus | undefined, next: DeploymentStatus): boolean {
  return canonicalJson(old ?? {}) !== canonicalJson(next);
}

// ---- the loop -------------------------------------------------------------------

function deploymentSelects(d: Deployment, labels: Record<string, string>): boolean {
  return workloadSelects(d.spec.selector, labels);
}

export const deploymentController: ControllerDefinition = {
  name: "deployment",
  setup(ctx, queue) {
    const deployments = ctx.informer(Deployments);
    const replicaSets = ctx.informer(ReplicaSets);
    const pods = ctx.informer(Pods);
    wireSelf(deployments, queue);
    const wake = (rs: ReplicaSet) => {
      const ref = controllerOf(rs);
      if (ref?.kind === "Deployment") return queue.add(`${rs.metadata.namespace}/${ref.name}`);
      if (ref) return;
      for (const d of deployments.list()) {
        if (d.metadata.namespace === rs.metadata.namespace && deploymentSelects(d, rs.metadata.labels ?? {})) queue.add(namespacedName(d));
      }
    };
    replicaSets.on({ add: wake, update: (old, rs) => (wake(old), wake(rs)), delete: wake });
    // Recreate waits for old pods to go away.
    pods.on({
      delete(pod) {
        const ref = controllerOf(pod);
        if (ref?.kind !== "ReplicaSet") return;
        const rs = replicaSets.get(pod.metadata.namespace ?? "", ref.name);
        if (rs) wake(rs);
      },
    });
    return (key) => syncDeployment(ctx, key, deployments.getByKey(key), replicaSets.list(), pods.list());
  },
};

async function syncDeployment(ctx: ControllerContext, key: string, d: Deployment | undefined, allRs: ReplicaSet[], allPods: Pod[]): Promise<SyncResult> {
  if (!d) return;
  const { namespace, name } = splitNamespacedName(key);
  const claim = claimObjects(d, (labels) => deploymentSelects(d, labels), allRs.filter((rs) => rs.metadata.namespace === namespace));
  for (const rs of claim.adopt) await ctx.client.patch(ReplicaSets, namespace, rs.metadata.name ?? "", adoptPatch(rs, d), "merge");
  for (const rs of claim.release) await ctx.client.patch(ReplicaSets, namespace, rs.metadata.name ?? "", releasePatch(rs, d.metadata.uid ?? ""), "merge");

  const plan = reconcileDeployment(d, claim.owned, allPods.filter((p) => p.metadata.namespace === namespace), ctx.now());

  if (plan.create) {
    try {
      await ctx.client.create(ReplicaSets, plan.create);
    } catch (err) {
      if (isNamespaceTerminating(err)) return;
      if (!isApiError(err, "AlreadyExists")) throw err;
      const existing = await ctx.client.get<ReplicaSet>(ReplicaSets, namespace, plan.create.metadata.name ?? "");
      const ours = controllerOf(existing)?.uid === d.metadata.uid;
      if (ours && templatesEqual(existing.spec.template, d.spec.template)) return 10; // cache was behind
      // A different template hashed to the same name: count the collision and rehash.
      await ctx.client.patch(Deployments, namespace, name, { status: { collisionCount: (d.status?.collisionCount ?? 0) + 1 } }, "merge", "status");
      return;
    }
  }
  // minReadySeconds is not part of the template: a change reaches the current ReplicaSet in place.
  const current = findNewReplicaSet(d, claim.owned);
  if (current && (current.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)) {
    await ctx.client.patch(ReplicaSets, namespace, current.metadata.name ?? "", { spec: { minReadySeconds: d.spec.minReadySeconds ?? 0 } }, "merge");
  }
  if (plan.setRevision) {
    await ctx.client.patch(ReplicaSets, namespace, plan.setRevision.rs.metadata.name ?? "", { metadata: { annotations: { [revisionAnnotation]: plan.setRevision.revision } } }, "merge");
  }
  const { maxSurge } = rollingLimits(d);
  for (const { rs, replicas } of plan.scale) {
    await ctx.client.patch(
      ReplicaSets,
      namespace,
      rs.metadata.name ?? "",
      {
        metadata: {
          resourceVersion: rs.metadata.resourceVersion,
          annotations: { [desiredReplicasAnnotation]: String(d.spec.replicas ?? 1), [maxReplicasAnnotation]: String((d.spec.replicas ?? 1) + maxSurge) },
        },
        spec: { replicas },
      },
      "merge",
    );
  }
  for (const rs of plan.annotate) {
    await ctx.client.patch(
      ReplicaSets,
      namespace,
      rs.metadata.name ?? "",
      { metadata: { annotations: { [desiredReplicasAnnotation]: String(d.spec.replicas ?? 1), [maxReplicasAnnotation]: String((d.spec.replicas ?? 1) + maxSurge) } } },
      "merge",
    );
  }
  for (const rs of plan.delete) {
    await ctx.client.delete(ReplicaSets, namespace, rs.metadata.name ?? "", { propagationPolicy: "Background" }).catch((err: unknown) => {
      if (!isApiError(err, "NotFound")) throw err;
    });
  }
  for (const e of plan.events) ctx.event(d, e.type, e.reason, e.message);
  if (plan.revision) {
    await ctx.client.patch(Deployments, namespace, name, { metadata: { annotations: { [revisionAnnotation]: plan.revision } } }, "merge");
  }
  if (deploymentStatusChanged(d.status, plan.status)) {
    await ctx.client.patch(Deployments, namespace, name, { status: plan.status }, "merge", "status");
  }
  return plan.requeueAfterMs;
}
