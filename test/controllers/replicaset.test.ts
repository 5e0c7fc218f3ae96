import { describe, expect, test } from "bun:test";
import { reconcileReplicaSet, replicaFailure, type ReplicaSetLike } from "../../src/controllers/replicaset.ts";
import { pod, T0 } from "./fixtures.ts";

const rs = (replicas: number, minReadySeconds = 0): ReplicaSetLike => ({ replicas, minReadySeconds, generation: 3, templateLabels: { app: "web" } });

describe("reconcileReplicaSet", () => {
  test("creates the missing pods", () => {
    const plan = reconcileReplicaSet(rs(3), [pod({ ready: true, node: "n" })], T0);
    expect(plan.create).toBe(2);
    expect(plan.delete).toEqual([]);
    expect(plan.status).toMatchObject({ replicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 3, fullyLabeledReplicas: 1 });
  });
  test("deletes the most deletable surplus pods", () => {
    const pods = [pod({ name: "a", node: "n", ready: true }), pod({ name: "b" }), pod({ name: "c", node: "n", ready: false, phase: "Running" })];
    const plan = reconcileReplicaSet(rs(1), pods, T0);
    expect(plan.create).toBe(0);
    expect(plan.delete.map((p) => p.metadata.name)).toEqual(["b", "c"]);
  });
  test("terminating and finished pods do not count; a replacement is created", () => {
    const pods = [pod({ ready: true, node: "n" }), pod({ deleting: true, node: "n", ready: true }), pod({ phase: "Failed", node: "n" })];
    const plan = reconcileReplicaSet(rs(2), pods, T0);
    expect(plan.create).toBe(1);
    expect(plan.status.replicas).toBe(1);
  });
  test("does nothing but status while not allowed to manage", () => {
    const plan = reconcileReplicaSet(rs(3), [], T0, false);
    expect(plan.create).toBe(0);
    expect(plan.status.replicas).toBe(0);
  });
  test("availability honours minReadySeconds and asks to be woken", () => {
    const pods = [pod({ ready: true, readySince: T0 - 20_000, node: "n" }), pod({ ready: true, readySince: T0 - 1000, node: "n" })];
    const plan = reconcileReplicaSet(rs(2, 10), pods, T0);
    expect(plan.status.readyReplicas).toBe(2);
    expect(plan.status.availableReplicas).toBe(1);
    expect(plan.requeueAfterMs).toBe(10_000);
  });
  test("caps a burst", () => {
    expect(reconcileReplicaSet(rs(2000), [], T0).create).toBe(500);
  });
});

describe("ReplicaFailure condition", () => {
  test("set on a failed create, kept while idle, dropped after writes succeed", () => {
    const failed = replicaFailure(undefined, new Error('pods "x" is forbidden: quota'), true, T0);
    expect(failed).toMatchObject([{ type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: 'pods "x" is forbidden: quota' }]);
    expect(replicaFailure(failed, undefined, false, T0)).toBe(failed);
    expect(replicaFailure(failed, undefined, true, T0)).toEqual([]);
  });
});
