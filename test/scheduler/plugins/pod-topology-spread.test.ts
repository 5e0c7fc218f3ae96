import { describe, expect, test } from "bun:test";
import type { TopologySpreadConstraint } from "../../../src/api/types.ts";
import { ERR_SPREAD, ERR_SPREAD_MISSING_LABEL, PodTopologySpread } from "../../../src/scheduler/plugins/pod-topology-spread.ts";
import { CycleState, Framework } from "../../../src/scheduler/framework.ts";
import { fitErrorMessage } from "../../../src/scheduler/messages.ts";
import { newPodInfo } from "../../../src/scheduler/pod-info.ts";
import { defaultPlugins } from "../../../src/scheduler/plugins/index.ts";
import { cacheOf, filterAll, node, pod, scoreAll } from "../fixtures.ts";

const zone = (z: string) => ({ "topology.kubernetes.io/zone": z });
const spread = (over: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({
  maxSkew: 1,
  topologyKey: "topology.kubernetes.io/zone",
  whenUnsatisfiable: "DoNotSchedule",
  labelSelector: { matchLabels: { app: "web" } },
  ...over,
});
const web = (name: string, nodeName?: string, c?: TopologySpreadConstraint[]) => pod(name, { labels: { app: "web" }, nodeName, spec: c ? { topologySpreadConstraints: c } : {} });

describe("PodTopologySpread filter", () => {
  const nodes = [node("a1", { labels: zone("a") }), node("a2", { labels: zone("a") }), node("b1", { labels: zone("b") }), node("nozone")];

  test("DoNotSchedule keeps the skew within maxSkew; nodes without the key fail", () => {
    const cache = cacheOf(nodes, [web("x", "a1"), web("y", "a2"), web("z", "b1")]);
    // zone a: 2, zone b: 1 → placing in a makes skew 2 > 1.
    expect(filterAll(PodTopologySpread, web("p", undefined, [spread()]), cache)).toEqual({ a1: ERR_SPREAD, a2: ERR_SPREAD, b1: "", nozone: ERR_SPREAD_MISSING_LABEL });
  });

  test("maxSkew 2 allows it; pods of other namespaces and labels do not count", () => {
    const cache = cacheOf(nodes, [web("x", "a1"), web("y", "a2"), web("z", "b1"), pod("other", { labels: { app: "db" }, nodeName: "b1" }), pod("elsewhere", { namespace: "ns2", labels: { app: "web" }, nodeName: "b1" })]);
    expect(filterAll(PodTopologySpread, web("p", undefined, [spread({ maxSkew: 2 })]), cache).a1).toBe("");
    expect(filterAll(PodTopologySpread, web("p", undefined, [spread()]), cache).a1).toBe(ERR_SPREAD);
  });

  test("incremental counts follow pod removal and node label changes", () => {
    const cache = cacheOf(nodes, [web("x", "a1"), web("y", "a2"), web("z", "b1")]);
    expect(filterAll(PodTopologySpread, web("p", undefined, [spread()]), cache).a1).toBe(ERR_SPREAD);
    cache.removePod("default/y");
    expect(filterAll(PodTopologySpread, web("p", undefined, [spread()]), cache).a1).toBe("");
    // Move b1 (with its pod) into zone a and add an empty zone b node: a has 2, b none.
    cache.upsertNode(node("b1", { labels: zone("a") }));
    cache.upsertNode(node("b2", { labels: zone("b") }));
    const r = filterAll(PodTopologySpread, web("p", undefined, [spread()]), cache);
    expect(r).toMatchObject({ a1: ERR_SPREAD, b1: ERR_SPREAD, b2: "" });
  });

  test("only nodes passing the pod's nodeSelector form domains", () => {
    const ns = [node("a1", { labels: { ...zone("a"), pool: "x" } }), node("b1", { labels: { ...zone("b"), pool: "x" } }), node("c1", { labels: { ...zone("c"), pool: "y" } })];
    const cache = cacheOf(ns, [web("x", "a1")]);
    const p = web("p", undefined, [spread()]);
    p.spec.nodeSelector = { pool: "x" };
    // Zone c (empty) is not eligible; min over {a:1, b:0} is 0 → a1 would be skew 2.
    expect(filterAll(PodTopologySpread, p, cache)).toMatchObject({ a1: ERR_SPREAD, b1: "" });
  });

  test("hostname spreading", () => {
    const cache = cacheOf([node("n1"), node("n2"), node("n3")], [web("x", "n1"), web("y", "n2")]);
    const r = filterAll(PodTopologySpread, web("p", undefined, [spread({ topologyKey: "kubernetes.io/hostname" })]), cache);
    expect(r).toEqual({ n1: ERR_SPREAD, n2: ERR_SPREAD, n3: "" });
  });
});

describe("PodTopologySpread score", () => {
  test("ScheduleAnyway prefers the emptier domain and never filters", () => {
    const nodes = [node("a1", { labels: zone("a") }), node("b1", { labels: zone("b") })];
    const cache = cacheOf(nodes, [web("x", "a1"), web("y", "a1")]);
    const p = web("p", undefined, [spread({ whenUnsatisfiable: "ScheduleAnyway" })]);
    expect(filterAll(PodTopologySpread, p, cache)).toEqual({ a1: "", b1: "" });
    const s = scoreAll(PodTopologySpread, p, cache);
    expect(s.b1).toBeGreaterThan(s.a1);
  });
});

describe("PodTopologySpread candidates shortcut", () => {
  const host = (over: Partial<TopologySpreadConstraint> = {}) => spread({ topologyKey: "kubernetes.io/hostname", ...over });

  test("when few domains can take the pod, preFilter names just their nodes", () => {
    const nodes = Array.from({ length: 10 }, (_, i) => node(`n${i}`));
    const placed = Array.from({ length: 8 }, (_, i) => web(`x${i}`, `n${i}`));
    const cache = cacheOf(nodes, placed);
    const r = PodTopologySpread.preFilter!(newPodInfo(web("p", undefined, [host()])), cache, new CycleState());
    expect(r && typeof r === "object" && "candidates" in r ? r.candidates.map((n) => n.name).sort() : r).toEqual(["n8", "n9"]);
  });

  test("a node added after the counts were built is a new, empty domain", () => {
    const cache = cacheOf([node("n1"), node("n2")], [web("x", "n1"), web("y", "n2")]);
    expect(filterAll(PodTopologySpread, web("p", undefined, [host()]), cache)).toEqual({ n1: "", n2: "" });
    cache.upsertNode(node("n3"));
    expect(filterAll(PodTopologySpread, web("p", undefined, [host()]), cache)).toEqual({ n1: ERR_SPREAD, n2: ERR_SPREAD, n3: "" });
    cache.removeNode("n3");
    expect(filterAll(PodTopologySpread, web("p", undefined, [host()]), cache)).toEqual({ n1: "", n2: "" });
  });

  test("the framework schedules only onto candidates, and reports exact reasons when none fits", () => {
    const nodes = Array.from({ length: 10 }, (_, i) => node(`n${i}`, { cpu: i === 9 ? "100m" : "4" }));
    const cache = cacheOf(nodes, Array.from({ length: 9 }, (_, i) => web(`x${i}`, `n${i}`)));
    const fw = new Framework(defaultPlugins());
    const small = fw.schedule(newPodInfo(web("p", undefined, [host()])), cache);
    expect(small.node).toBe("n9");
    const big = web("big", undefined, [host()]);
    big.spec.containers[0].resources = { requests: { cpu: "1" } };
    const r = fw.schedule(newPodInfo(big), cache);
    expect(r.node === undefined && fitErrorMessage(r.numAllNodes, r.reasons)).toBe("0/10 nodes are available: 9 node(s) didn't match pod topology spread constraints, 1 Insufficient cpu.");
  });
});
