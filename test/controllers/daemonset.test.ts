import { describe, expect, test } from "bun:test";
import type { DaemonSet, Pod } from "../../src/api/types.ts";
import { daemonPod, nodeShouldRunDaemonPod, reconcileDaemonSet, revisionHashLabel } from "../../src/controllers/daemonset.ts";
import { computeTemplateHash } from "../../src/controllers/template-hash.ts";
import { node, T0, template } from "./fixtures.ts";

function ds(extra: Partial<DaemonSet["spec"]> = {}): DaemonSet {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "agent", namespace: "default", uid: "ds-uid", generation: 1 },
    spec: { selector: { matchLabels: { app: "web" } }, template: template(), ...extra },
  };
}

function podOn(d: DaemonSet, nodeName: string, o: { ready?: boolean; hash?: string; phase?: "Failed" } = {}): Pod {
  const p = daemonPod(d, o.hash ?? computeTemplateHash(d.spec.template), nodeName);
  p.metadata.name = `agent-${nodeName}-${Math.random().toString(36).slice(2, 6)}`;
  p.metadata.uid = p.metadata.name;
  p.metadata.creationTimestamp = new Date(T0).toISOString();
  p.status = { phase: o.phase ?? "Running", conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True", lastTransitionTime: new Date(T0).toISOString() }] };
  return p;
}

describe("nodeShouldRunDaemonPod", () => {
  test("nodeSelector, required affinity and taints decide", () => {
    expect(nodeShouldRunDaemonPod(ds(), node("a"))).toBe(true);
    const selected = ds({ template: { ...template(), spec: { ...template().spec, nodeSelector: { disk: "ssd" } } } });
    expect(nodeShouldRunDaemonPod(selected, node("a"))).toBe(false);
    expect(nodeShouldRunDaemonPod(selected, node("b", { labels: { disk: "ssd" } }))).toBe(true);
    const affinity = ds({
      template: { ...template(), spec: { ...template().spec, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["z1"] }] }] } } } } },
    });
    expect(nodeShouldRunDaemonPod(affinity, node("a", { labels: { zone: "z2" } }))).toBe(false);
    expect(nodeShouldRunDaemonPod(affinity, node("a", { labels: { zone: "z1" } }))).toBe(true);
    expect(nodeShouldRunDaemonPod(ds(), node("t", { taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] }))).toBe(false);
    // Node trouble taints are tolerated by every daemon.
    expect(nodeShouldRunDaemonPod(ds(), node("u", { taints: [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }] }))).toBe(true);
  });
});

describe("reconcileDaemonSet", () => {
  test("one pod per eligible node; pods leave ineligible and vanished nodes", () => {
    const d = ds({ template: { ...template(), spec: { ...template().spec, nodeSelector: { role: "edge" } } } });
    const nodes = [node("a", { labels: { role: "edge" } }), node("b", { labels: { role: "edge" } }), node("c")];
    const onC = podOn(d, "c");
    const onGone = podOn(d, "gone");
    const onA = podOn(d, "a");
    const plan = reconcileDaemonSet(d, nodes, [onA, onC, onGone], T0);
    expect(plan.create).toEqual(["b"]);
    expect(plan.delete.map((p) => p.spec.nodeName).sort()).toEqual(["c", "gone"]);
    expect(plan.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 1, numberMisscheduled: 1, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1, numberUnavailable: 1 });
  });
  test("extra pods on a node and failed pods are removed", () => {
    const d = ds();
    const keep = podOn(d, "a");
    const extra = podOn(d, "a", { ready: false });
    const failed = podOn(d, "b", { phase: "Failed" });
    const plan = reconcileDaemonSet(d, [node("a"), node("b")], [keep, extra, failed], T0);
    expect(plan.delete).toContain(extra);
    expect(plan.delete).toContain(failed);
    expect(plan.delete).not.toContain(keep);
    expect(plan.create).toEqual(["b"]);
  });
  test("rolling update replaces at most maxUnavailable available pods at a time", () => {
    const d = ds({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } } });
    const nodes = [node("a"), node("b"), node("c")];
    const pods = nodes.map((n) => podOn(d, n.metadata.name!, { hash: "old" }));
    const plan = reconcileDaemonSet(d, nodes, pods, T0);
    expect(plan.delete.length).toBe(1);
    expect(plan.status.updatedNumberScheduled).toBe(0);
    // With one node already unavailable, nothing more goes.
    const withGap = reconcileDaemonSet(d, nodes, pods.slice(1), T0);
    expect(withGap.delete).toEqual([]);
    expect(withGap.create).toEqual(["a"]);
  });
  test("OnDelete leaves old pods alone; manage=false plans nothing", () => {
    const d = ds({ updateStrategy: { type: "OnDelete" } });
    const pods = [podOn(d, "a", { hash: "old" })];
    expect(reconcileDaemonSet(d, [node("a")], pods, T0).delete).toEqual([]);
    expect(reconcileDaemonSet(ds(), [node("a"), node("b")], [], T0, false).create).toEqual([]);
  });
  test("daemon pods are pinned to their node and tolerate node trouble", () => {
    const p = daemonPod(ds(), "h", "a");
    expect(p.spec.nodeName).toBe("a");
    expect(p.metadata.labels?.[revisionHashLabel]).toBe("h");
    expect(p.spec.tolerations?.some((t) => t.key === "node.kubernetes.io/unreachable" && t.effect === "NoExecute")).toBe(true);
  });
});
