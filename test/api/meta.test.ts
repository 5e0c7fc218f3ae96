import { describe, expect, test } from "bun:test";
import {
  controllerOf,
  controllerRef,
  formatAge,
  formatDuration,
  getCondition,
  isControlledBy,
  namespacedName,
  podIsAvailable,
  podIsReady,
  setCondition,
  splitNamespacedName,
} from "../../src/api/meta.ts";
import type { Condition, Pod } from "../../src/api/types.ts";

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe("formatDuration (kubectl's HumanDuration)", () => {
  test.each([
    [0, "0s"],
    [5 * s, "5s"],
    [119 * s, "119s"],
    [2 * m, "2m"],
    [3 * m + 20 * s, "3m20s"],
    [10 * m, "10m"],
    [179 * m, "179m"],
    [3 * h, "3h"],
    [7 * h + 59 * m, "7h59m"],
    [8 * h, "8h"],
    [47 * h, "47h"],
    [2 * d + 4 * h, "2d4h"],
    [3 * d, "3d"],
    [8 * d, "8d"],
    [400 * d, "400d"],
    [3 * 365 * d + 20 * d, "3y20d"],
    [9 * 365 * d, "9y"],
    [-500, "0s"],
    [-5 * s, "<invalid>"],
  ])("%p ms → %s", (ms, want) => {
    expect(formatDuration(ms)).toBe(want);
  });

  test("formatAge", () => {
    const now = Date.parse("2026-01-01T00:10:00Z");
    expect(formatAge("2026-01-01T00:00:00Z", now)).toBe("10m");
    expect(formatAge(undefined, now)).toBe("<unknown>");
    expect(formatAge("not a time", now)).toBe("<unknown>");
  });
});

describe("conditions", () => {
  const t0 = new Date("2026-01-01T00:00:00Z");
  const t1 = new Date("2026-01-01T01:00:00Z");

  test("set keeps lastTransitionTime while the status holds", () => {
    const a = setCondition(undefined, { type: "Ready", status: "True" }, t0);
    expect(a).toEqual([{ type: "Ready", status: "True", lastTransitionTime: t0.toISOString() }]);
    const b = setCondition(a, { type: "Ready", status: "True", reason: "Still" }, t1);
    expect(b[0]).toMatchObject({ reason: "Still", lastTransitionTime: t0.toISOString() });
    const c = setCondition(b, { type: "Ready", status: "False" }, t1);
    expect(c[0].lastTransitionTime).toBe(t1.toISOString());
    expect(a[0].reason).toBeUndefined();
    const d2 = setCondition(c, { type: "Other", status: "True" }, t1);
    expect(d2.map((x: Condition) => x.type)).toEqual(["Ready", "Other"]);
    expect(getCondition(d2, "Other")?.status).toBe("True");
    expect(getCondition(d2, "Missing")).toBeUndefined();
  });
});

describe("owners and pods", () => {
  const owner = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "rs", uid: "u1" } };
  test("controller references", () => {
    const ref = controllerRef(owner);
    expect(ref).toEqual({ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "u1", controller: true, blockOwnerDeletion: true });
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", ownerReferences: [{ ...ref, controller: false, uid: "x" }, ref] } };
    expect(controllerOf(pod)?.uid).toBe("u1");
    expect(isControlledBy(pod, owner)).toBe(true);
    expect(isControlledBy(pod, { ...owner, metadata: { uid: "other" } })).toBe(false);
    expect(controllerOf({ apiVersion: "v1", kind: "Pod", metadata: {} })).toBeUndefined();
  });

  test("readiness and availability", () => {
    const now = Date.parse("2026-01-01T00:01:00Z");
    const pod = { apiVersion: "v1", kind: "Pod", metadata: {}, spec: { containers: [] }, status: { conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2026-01-01T00:00:30Z" }] } } as Pod;
    expect(podIsReady(pod)).toBe(true);
    expect(podIsAvailable(pod, 0, now)).toBe(true);
    expect(podIsAvailable(pod, 30, now)).toBe(true);
    expect(podIsAvailable(pod, 31, now)).toBe(false);
    expect(podIsReady({ ...pod, status: {} })).toBe(false);
  });

  test("namespaced names", () => {
    expect(namespacedName({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns" } })).toBe("ns/p");
    expect(namespacedName({ apiVersion: "v1", kind: "Node", metadata: { name: "n" } })).toBe("n");
    expect(splitNamespacedName("ns/p")).toEqual({ namespace: "ns", name: "p" });
    expect(splitNamespacedName("n")).toEqual({ namespace: "", name: "n" });
  });
});
