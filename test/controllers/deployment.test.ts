import { describe, expect, test } from "bun:test";
import { getCondition } from "../../src/api/meta.ts";
import type { Deployment, ReplicaSet } from "../../src/api/types.ts";
import { findNewReplicaSet, isScalingEvent, proportionalSizes, reconcileDeployment, revisionAnnotation, revisionOf, rollingLimits } from "../../src/controllers/deployment.ts";
import { computeTemplateHash } from "../../src/controllers/template-hash.ts";
import { deployment, iso, pod, replicaSet, T0, template } from "./fixtures.ts";

function newRsFor(d: Deployment, o: Parameters<typeof replicaSet>[1]): ReplicaSet {
  const hash = computeTemplateHash(d.spec.template);
  const t = structuredClone(d.spec.template);
  t.metadata!.labels!["pod-template-hash"] = hash;
  return replicaSet(`web-${hash}`, { ...o, template: t, owner: d });
}

describe("rolling limits", () => {
  test("percentages round like Kubernetes, and never both zero", () => {
    expect(rollingLimits(deployment({ replicas: 10 }))).toEqual({ maxSurge: 3, maxUnavailable: 2 });
    expect(rollingLimits(deployment({ replicas: 1 }))).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(rollingLimits(deployment({ replicas: 3, maxSurge: 0, maxUnavailable: 0 }))).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(rollingLimits(deployment({ strategy: "Recreate" }))).toEqual({ maxSurge: 0, maxUnavailable: 0 });
  });
});

describe("reconcileDeployment", () => {
  test("a new Deployment creates its ReplicaSet at full size with revision 1", () => {
    const d = deployment({ replicas: 3 });
    const plan = reconcileDeployment(d, [], [], T0);
    expect(plan.create?.metadata.name).toBe(`web-${computeTemplateHash(d.spec.template)}`);
    expect(plan.create?.spec.replicas).toBe(3);
    expect(plan.create?.metadata.annotations?.[revisionAnnotation]).toBe("1");
    expect(plan.create?.spec.selector.matchLabels?.["pod-template-hash"]).toBeDefined();
    expect(plan.create?.spec.template.metadata?.labels?.["pod-template-hash"]).toBe(plan.create?.spec.selector.matchLabels?.["pod-template-hash"]);
    expect(plan.revision).toBe("1");
    expect(getCondition(plan.status.conditions, "Progressing")?.reason).toBe("NewReplicaSetCreated");
  });

  test("a template change starts a surge-limited rollout", () => {
    const d = deployment({ replicas: 4, maxSurge: 1, maxUnavailable: 0, template: template("nginx:2") });
    const old = replicaSet("web-old", { replicas: 4, revision: 1, owner: d });
    const plan = reconcileDeployment(d, [old], [], T0);
    expect(plan.create?.spec.replicas).toBe(1);
    expect(plan.create?.metadata.annotations?.[revisionAnnotation]).toBe("2");
    expect(plan.scale).toEqual([]);
  });

  test("old ReplicaSets scale down only as availability allows", () => {
    const d = deployment({ replicas: 4, maxSurge: 1, maxUnavailable: 0, template: template("nginx:2") });
    const old = replicaSet("web-old", { replicas: 4, revision: 1, owner: d });
    // New RS has 1 pod, not yet available: nothing may go.
    let fresh = newRsFor(d, { replicas: 1, revision: 2, available: 0, ready: 0 });
    expect(reconcileDeployment(d, [old, fresh], [], T0).scale).toEqual([]);
    // Once it is available, one old pod may go.
    fresh = newRsFor(d, { replicas: 1, revision: 2, available: 1 });
    const plan = reconcileDeployment(d, [old, fresh], [], T0);
    expect(plan.scale.map((s) => [s.rs.metadata.name, s.replicas])).toEqual([["web-old", 3]]);
    expect(plan.events.some((e) => e.reason === "ScalingReplicaSet" && e.message.includes("Scaled down replica set web-old from 4 to 3"))).toBe(true);
  });

  test("with room to surge the new ReplicaSet grows first", () => {
    const d = deployment({ replicas: 4, maxSurge: 1, maxUnavailable: 0, template: template("nginx:2") });
    const old = replicaSet("web-old", { replicas: 3, revision: 1, owner: d });
    const fresh = newRsFor(d, { replicas: 1, revision: 2 });
    const plan = reconcileDeployment(d, [old, fresh], [], T0);
    expect(plan.scale.map((s) => [s.rs.metadata.name, s.replicas])).toEqual([[fresh.metadata.name, 2]]);
  });

  test("unavailable old pods are removed first, without waiting for the new ones", () => {
    const d = deployment({ replicas: 4, maxSurge: 0, maxUnavailable: 1, template: template("nginx:2") });
    const old = replicaSet("web-old", { replicas: 4, revision: 1, available: 2, owner: d });
    const fresh = newRsFor(d, { replicas: 0, revision: 2, available: 0 });
    const plan = reconcileDeployment(d, [old, fresh], [], T0);
    // allTotal 4 - minAvailable 3 - newUnavailable 0 = 1; then available (2) <= 3: no more.
    expect(plan.scale.map((s) => [s.rs.metadata.name, s.replicas])).toEqual([["web-old", 3]]);
  });

  test("never scales down while a ReplicaSet's status lags its spec", () => {
    const d = deployment({ replicas: 3, maxSurge: 1, maxUnavailable: 0, template: template("nginx:2") });
    const old = replicaSet("web-old", { replicas: 2, statusReplicas: 3, available: 3, revision: 1, owner: d });
    const fresh = newRsFor(d, { replicas: 2, revision: 2, available: 2 });
    expect(reconcileDeployment(d, [old, fresh], [], T0).scale).toEqual([]);
  });

  test("a finished rollout is complete and prunes history beyond the limit", () => {
    const d = deployment({ replicas: 2, revisionHistoryLimit: 1 });
    const fresh = newRsFor(d, { replicas: 2, revision: 3 });
    const r1 = replicaSet("web-r1", { replicas: 0, revision: 1, owner: d, template: template("nginx:0") });
    const r2 = replicaSet("web-r2", { replicas: 0, revision: 2, owner: d, template: template("nginx:1x") });
    d.metadata.annotations = { [revisionAnnotation]: "3" };
    const plan = reconcileDeployment(d, [fresh, r1, r2], [], T0);
    expect(plan.delete.map((rs) => rs.metadata.name)).toEqual(["web-r1"]);
    expect(plan.status).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2, unavailableReplicas: 0 });
    expect(getCondition(plan.status.conditions, "Progressing")?.reason).toBe("NewReplicaSetAvailable");
    expect(getCondition(plan.status.conditions, "Available")?.status).toBe("True");
    expect(plan.revision).toBeUndefined();
  });

  test("rolling back to an old template reuses its ReplicaSet with the next revision", () => {
    const d = deployment({ replicas: 2, template: template("nginx:1") });
    const back = newRsFor(d, { replicas: 0, revision: 1 });
    const current = replicaSet("web-v2", { replicas: 2, revision: 2, owner: d, template: template("nginx:2") });
    expect(findNewReplicaSet(d, [back, current])).toBe(back);
    const plan = reconcileDeployment(d, [back, current], [], T0);
    expect(plan.create).toBeUndefined();
    expect(plan.setRevision).toEqual({ rs: back, revision: "3" });
    expect(plan.revision).toBe("3");
    expect(plan.scale.map((s) => [s.rs.metadata.name, s.replicas])).toEqual([[back.metadata.name, 1]]);
  });

  test("Recreate scales old to zero, waits for old pods, then creates the new ReplicaSet", () => {
    const d = deployment({ replicas: 2, strategy: "Recreate", template: template("nginx:2") });
    const old = replicaSet("web-old", { replicas: 2, revision: 1, owner: d });
    let plan = reconcileDeployment(d, [old], [], T0);
    expect(plan.scale.map((s) => [s.rs.metadata.name, s.replicas])).toEqual([["web-old", 0]]);
    expect(plan.create).toBeUndefined();
    const scaled = replicaSet("web-old", { replicas: 0, statusReplicas: 0, revision: 1, owner: d });
    const lingering = pod({ owner: { kind: "ReplicaSet", name: "web-old", uid: scaled.metadata.uid! }, deleting: true, node: "n" });
    plan = reconcileDeployment(d, [scaled], [lingering], T0);
    expect(plan.create).toBeUndefined();
    plan = reconcileDeployment(d, [scaled], [], T0);
    expect(plan.create?.spec.replicas).toBe(2);
  });

  test("paused: no rollout, Progressing Unknown; resume reports DeploymentResumed", () => {
    const d = deployment({ replicas: 2, paused: true, template: template("nginx:2") });
    const old = replicaSet("web-old", { replicas: 2, revision: 1, owner: d });
    const plan = reconcileDeployment(d, [old], [], T0);
    expect(plan.create).toBeUndefined();
    expect(plan.scale).toEqual([]);
    expect(getCondition(plan.status.conditions, "Progressing")).toMatchObject({ status: "Unknown", reason: "DeploymentPaused" });
    const resumed = { ...d, spec: { ...d.spec, paused: false }, status: plan.status };
    const next = reconcileDeployment(resumed, [old], [], T0 + 1000);
    expect(next.create).toBeDefined();
    expect(getCondition(next.status.conditions, "Progressing")?.reason).toBe("DeploymentResumed");
  });

  test("no progress past progressDeadlineSeconds → Progressing=False ProgressDeadlineExceeded", () => {
    const d = deployment({ replicas: 2, progressDeadlineSeconds: 30, maxSurge: 1, maxUnavailable: 0, template: template("nginx:2") });
    const old = replicaSet("web-old", { replicas: 2, revision: 1, owner: d });
    const fresh = newRsFor(d, { replicas: 1, revision: 2, available: 0, ready: 0 });
    const first = reconcileDeployment(d, [old, fresh], [], T0);
    expect(getCondition(first.status.conditions, "Progressing")?.status).toBe("True");
    expect(first.requeueAfterMs).toBeGreaterThan(29_000);
    const later = { ...d, status: first.status };
    const stuck = reconcileDeployment(later, [old, fresh], [], T0 + 31_000);
    expect(getCondition(stuck.status.conditions, "Progressing")).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded" });
    expect(stuck.events.some((e) => e.reason === "ProgressDeadlineExceeded")).toBe(true);
  });

  test("revisionOf reads the annotation", () => {
    expect(revisionOf(replicaSet("x", { replicas: 1, revision: 7 }))).toBe(7);
    expect(revisionOf(replicaSet("x", { replicas: 1 }))).toBe(0);
  });

  test("status sums the ReplicaSets", () => {
    const d = deployment({ replicas: 3, template: template("nginx:2") });
    const old = replicaSet("web-old", { replicas: 1, revision: 1, owner: d, available: 1 });
    const fresh = newRsFor(d, { replicas: 3, revision: 2, available: 2, ready: 2 });
    const plan = reconcileDeployment(d, [old, fresh], [], T0);
    expect(plan.status).toMatchObject({ replicas: 4, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0, observedGeneration: 2 });
    expect(iso(T0)).toBeDefined();
  });
});

describe("paused scaling", () => {
  test("proportionalSizes splits by size with the largest remainder", () => {
    expect(proportionalSizes([3, 1], 8)).toEqual([6, 2]);
    expect(proportionalSizes([2, 1], 4)).toEqual([3, 1]);
    expect(proportionalSizes([1, 1], 3)).toEqual([2, 1]);
    expect(proportionalSizes([0, 0], 3)).toEqual([3, 0]);
    expect(proportionalSizes([5, 5], 0)).toEqual([0, 0]);
  });
  test("a paused Deployment mid-rollout scales its ReplicaSets in proportion", () => {
    const d = deployment({ replicas: 8, paused: true, template: template("nginx:2") });
    const old = replicaSet("web-old", { replicas: 3, revision: 1, owner: d });
    const fresh = newRsFor(d, { replicas: 1, revision: 2 });
    const plan = reconcileDeployment(d, [old, fresh], [], T0);
    expect(plan.scale.map((s) => [s.rs.metadata.name, s.replicas]).sort()).toEqual([[fresh.metadata.name, 2], ["web-old", 6]].sort());
    expect(plan.create).toBeUndefined();
  });
});

describe("ReplicaFailure", () => {
  test("a ReplicaSet's ReplicaFailure shows on the Deployment, and goes with it", () => {
    const d = deployment({ replicas: 2 });
    const rs = newRsFor(d, { replicas: 2, revision: 1, available: 0, ready: 0, statusReplicas: 0 });
    rs.status!.conditions = [{ type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: "quota" }];
    const plan = reconcileDeployment(d, [rs], [], T0);
    expect(getCondition(plan.status.conditions, "ReplicaFailure")).toMatchObject({ status: "True", reason: "FailedCreate", message: "quota" });
    rs.status!.conditions = [];
    const cleared = reconcileDeployment({ ...d, status: plan.status }, [rs], [], T0);
    expect(getCondition(cleared.status.conditions, "ReplicaFailure")).toBeUndefined();
  });
});

describe("scaling during a rollout (proportional)", () => {
  function sized(rs: ReplicaSet, desired: number, max: number): ReplicaSet {
    rs.metadata.annotations = { ...rs.metadata.annotations, "deployment.kubernetes.io/desired-replicas": String(desired), "deployment.kubernetes.io/max-replicas": String(max) };
    return rs;
  }
  test("detects a scaling event from the desired-replicas annotation", () => {
    const d = deployment({ replicas: 20 });
    expect(isScalingEvent(d, [sized(replicaSet("a", { replicas: 5 }), 10, 13)])).toBe(true);
    expect(isScalingEvent(d, [sized(replicaSet("a", { replicas: 5 }), 20, 25)])).toBe(false);
    expect(isScalingEvent(d, [sized(replicaSet("a", { replicas: 0 }), 10, 13)])).toBe(false);
    expect(isScalingEvent(d, [replicaSet("a", { replicas: 5 })])).toBe(false);
  });
  test("10 → 20 mid-rollout keeps the proportions of old and new", () => {
    // replicas 10, maxSurge 3: old 8 + new 5 = 13 = 10 + 3. Now replicas 20 (maxSurge 5): allowed 25.
    const d = deployment({ replicas: 20, maxSurge: "25%", maxUnavailable: "25%", template: template("nginx:2") });
    const old = sized(replicaSet("web-old", { replicas: 8, revision: 1, owner: d, available: 8 }), 10, 13);
    const fresh = sized(newRsFor(d, { replicas: 5, revision: 2, available: 0, ready: 0 }), 10, 13);
    const plan = reconcileDeployment(d, [old, fresh], [], T0);
    const sizes = Object.fromEntries(plan.scale.map((s) => [s.rs.metadata.name, s.replicas]));
    expect(sizes["web-old"]).toBe(15);
    expect(sizes[fresh.metadata.name!]).toBe(10);
    expect(plan.create).toBeUndefined();
  });
  test("one running ReplicaSet simply takes the new size; stale annotations alone are refreshed", () => {
    const d = deployment({ replicas: 5 });
    const only = sized(newRsFor(d, { replicas: 3, revision: 1 }), 3, 4);
    const plan = reconcileDeployment(d, [only], [], T0);
    expect(plan.scale.map((s) => s.replicas)).toEqual([5]);
    const settled = sized(newRsFor(d, { replicas: 5, revision: 1 }), 5, 7);
    const quiet = reconcileDeployment(d, [settled], [], T0);
    expect(quiet.scale).toEqual([]);
    expect(quiet.annotate).toEqual([]);
    const stale = sized(newRsFor(d, { replicas: 5, revision: 1 }), 5, 9);
    expect(reconcileDeployment(d, [stale], [], T0).annotate).toEqual([stale]);
  });
});
