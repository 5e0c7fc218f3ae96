import { describe, expect, test } from "bun:test";
import { getCondition } from "../../src/api/meta.ts";
import { notReadyTaintKey, podEvictionTime, podNotReadyConditions, reconcileNode, unreachableTaintKey } from "../../src/controllers/node-lifecycle.ts";
import { decidePod, terminatedPodsOverThreshold } from "../../src/controllers/pod-gc.ts";
import { iso, node, pod, T0 } from "./fixtures.ts";

const GRACE = 40_000;

describe("reconcileNode", () => {
  test("a fresh heartbeat keeps the node and asks to look again at the grace deadline", () => {
    const plan = reconcileNode(node("a"), T0, T0 + 10_000, GRACE);
    expect(plan.conditions).toBeUndefined();
    expect(plan.taints).toBeUndefined();
    expect(plan.requeueAfterMs).toBe(30_001);
  });
  test("silence past the grace → conditions Unknown and the unreachable taints", () => {
    const plan = reconcileNode(node("a"), T0, T0 + 41_000, GRACE);
    expect(getCondition(plan.conditions, "Ready")).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown" });
    expect(plan.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual([`${unreachableTaintKey}:NoSchedule`, `${unreachableTaintKey}:NoExecute`]);
    expect(plan.taints?.[1].timeAdded).toBe(iso(T0 + 41_000));
    expect(plan.events[0].reason).toBe("NodeNotReady");
  });
  test("Ready=False from the agent → not-ready taints; Ready again → taints removed, others kept", () => {
    const notReady = reconcileNode(node("a", { ready: "False" }), T0, T0, GRACE);
    expect(notReady.taints?.every((t) => t.key === notReadyTaintKey)).toBe(true);
    const custom = { key: "dedicated", effect: "NoSchedule" as const };
    const back = reconcileNode(node("a", { taints: [custom, { key: unreachableTaintKey, effect: "NoExecute" }] }), T0, T0, GRACE);
    expect(back.taints).toEqual([custom]);
    expect(back.events.map((e) => e.reason)).toEqual(["NodeReady"]);
  });
});

describe("podEvictionTime", () => {
  const taint = { key: unreachableTaintKey, effect: "NoExecute" as const, timeAdded: iso(T0) };
  test("no toleration for unreachable → the default toleration seconds", () => {
    expect(podEvictionTime(pod(), [taint], 60, T0)).toBe(T0 + 60_000);
  });
  test("its own tolerationSeconds, forever without one, now for other untolerated taints", () => {
    const p = pod();
    p.spec.tolerations = [{ key: unreachableTaintKey, operator: "Exists", effect: "NoExecute", tolerationSeconds: 5 }];
    expect(podEvictionTime(p, [taint], 60, T0)).toBe(T0 + 5000);
    p.spec.tolerations = [{ operator: "Exists" }];
    expect(podEvictionTime(p, [taint], 60, T0)).toBeUndefined();
    expect(podEvictionTime(pod(), [{ key: "maintenance", effect: "NoExecute", timeAdded: iso(T0) }], 60, T0)).toBe(T0);
    expect(podEvictionTime(pod(), [{ key: "x", effect: "NoSchedule" }], 60, T0)).toBeUndefined();
  });
});

describe("pod GC decisions", () => {
  test("terminating pods on a node that is not ready are force-deleted after their grace", () => {
    const p = pod({ node: "a", deleting: true });
    p.metadata.deletionTimestamp = iso(T0 + 30_000);
    expect(decidePod(p, node("a", { ready: "Unknown" }), T0)).toEqual({ action: "wait", ms: 30_001 });
    expect(decidePod(p, node("a", { ready: "Unknown" }), T0 + 30_000).action).toBe("forceDelete");
    expect(decidePod(p, node("a"), T0 + 30_000).action).toBe("none");
  });
  test("unscheduled terminating pods go; pods on unknown nodes are checked", () => {
    expect(decidePod(pod({ deleting: true }), undefined, T0).action).toBe("forceDelete");
    expect(decidePod(pod({ node: "gone" }), undefined, T0).action).toBe("checkNode");
    expect(decidePod(pod({ node: "a", ready: true }), node("a"), T0).action).toBe("none");
  });
  test("the oldest terminated pods beyond the threshold", () => {
    const pods = [pod({ name: "old", phase: "Succeeded", created: T0 }), pod({ name: "new", phase: "Failed", created: T0 + 10 }), pod({ name: "live", ready: true })];
    expect(terminatedPodsOverThreshold(pods, 1).map((p) => p.metadata.name)).toEqual(["old"]);
    expect(terminatedPodsOverThreshold(pods, 2)).toEqual([]);
  });
});

describe("pods on a node that is not ready", () => {
  test("lose their Ready condition at once (kept when already not ready)", () => {
    const ready = pod({ node: "a", ready: true });
    const conditions = podNotReadyConditions(ready, T0 + 5000);
    expect(getCondition(conditions, "Ready")).toMatchObject({ status: "False", reason: "NodeNotReady", lastTransitionTime: iso(T0 + 5000) });
    expect(podNotReadyConditions(pod({ node: "a", ready: false }), T0)).toBeUndefined();
  });
});
