import { describe, expect, test } from "bun:test";
import { Framework, numFeasibleNodesToFind, pickMax, type Plugin } from "../../src/scheduler/framework.ts";
import { fitErrorMessage, NO_NODES_MESSAGE } from "../../src/scheduler/messages.ts";
import { newPodInfo } from "../../src/scheduler/pod-info.ts";
import { defaultPlugins } from "../../src/scheduler/plugins/index.ts";
import { cacheOf, node, pod } from "./fixtures.ts";

describe("sampling (percentageOfNodesToScore)", () => {
  test("all nodes below 100, adaptive percentage above, at least 100", () => {
    expect(numFeasibleNodesToFind(50)).toBe(50);
    expect(numFeasibleNodesToFind(100)).toBe(100);
    expect(numFeasibleNodesToFind(1000)).toBe(420);
    expect(numFeasibleNodesToFind(5000)).toBe(500);
    expect(numFeasibleNodesToFind(100_000)).toBe(5000);
    expect(numFeasibleNodesToFind(150)).toBe(100);
    expect(numFeasibleNodesToFind(1100)).toBe(462); // integer percentage, as Kubernetes computes it
    expect(numFeasibleNodesToFind(1000, 100)).toBe(1000);
    expect(numFeasibleNodesToFind(1000, 30)).toBe(300);
  });

  test("filtering stays exact: the only feasible node is found even when sampling", () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => node(`n${i}`, { cpu: i === 777 ? "8" : "1" }));
    const fw = new Framework(defaultPlugins());
    const r = fw.schedule(newPodInfo(pod("p", { cpu: "4" })), cacheOf(nodes));
    expect(r.node).toBe("n777");
  });

  test("sampling stops after enough feasible nodes and rotates the start", () => {
    const cache = cacheOf(Array.from({ length: 1000 }, (_, i) => node(`n${i}`)));
    const fw = new Framework(defaultPlugins());
    const r1 = fw.schedule(newPodInfo(pod("a")), cache);
    expect(r1.node !== undefined && r1.feasible).toBe(420);
    const r2 = fw.schedule(newPodInfo(pod("b")), cache);
    expect(r2.node !== undefined && Number(r2.node.slice(1)) >= 420).toBe(true);
  });
});

describe("tie-break", () => {
  test("equal scores are picked uniformly at random", () => {
    const seen = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const k = pickMax(new Float64Array([5, 9, 9, 1, 9]), Math.random);
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual([1, 2, 4]);
    for (const n of seen.values()) expect(n).toBeGreaterThan(800);
  });
  test("a unique maximum always wins", () => {
    expect(pickMax(new Float64Array([1, 2, 3, 2]), () => 0)).toBe(2);
  });
});

describe("framework", () => {
  test("the loop knows no plugin: a custom filter and score decide", () => {
    const onlyEven: Plugin = { name: "OnlyEven", filter: (_p, n) => (Number(n.name.slice(1)) % 2 ? "odd node" : undefined) };
    const preferHigh: Plugin = { name: "PreferHigh", score: (_p, n) => Number(n.name.slice(1)) };
    const fw = new Framework([onlyEven, preferHigh]);
    const cache = cacheOf([node("n1"), node("n2"), node("n3"), node("n4"), node("n5")]);
    expect(fw.schedule(newPodInfo(pod("p")), cache).node).toBe("n4");
    const none = new Framework([{ name: "No", filter: () => "nope" }]).schedule(newPodInfo(pod("p")), cache);
    expect(none.node).toBeUndefined();
    if (none.node === undefined) expect(fitErrorMessage(none.numAllNodes, none.reasons)).toBe("0/5 nodes are available: 5 nope.");
  });

  test("preFilter rejection stops the cycle", () => {
    const fw = new Framework([{ name: "Gate", preFilter: () => ({ reject: "pod is gated" }) }]);
    const r = fw.schedule(newPodInfo(pod("p")), cacheOf([node("a"), node("b")]));
    expect(r.node === undefined && fitErrorMessage(r.numAllNodes, r.reasons)).toBe("0/2 nodes are available: 2 pod is gated.");
  });
});

describe("FailedScheduling message", () => {
  test("the shape users know, most frequent reason first", () => {
    const cache = cacheOf([node("a", { cpu: "1" }), node("b", { cpu: "1" }), node("c", { taints: [{ key: "k", value: "v", effect: "NoSchedule" }] })]);
    const r = new Framework(defaultPlugins()).schedule(newPodInfo(pod("p", { cpu: "2" })), cache);
    expect(r.node).toBeUndefined();
    if (r.node === undefined) expect(fitErrorMessage(r.numAllNodes, r.reasons)).toBe("0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {k: v}.");
  });
  test("several reasons on one node are each counted; no nodes at all", () => {
    const cache = cacheOf([node("a", { cpu: "1", memory: "1Gi" })]);
    const r = new Framework(defaultPlugins()).schedule(newPodInfo(pod("p", { cpu: "2", memory: "2Gi" })), cache);
    if (r.node === undefined) expect(fitErrorMessage(r.numAllNodes, r.reasons)).toBe("0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.");
    else throw new Error("should not fit");
    expect(fitErrorMessage(0, new Map())).toBe(NO_NODES_MESSAGE);
  });
});
