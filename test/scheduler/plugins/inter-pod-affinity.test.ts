import { describe, expect, test } from "bun:test";
import type { PodAffinityTerm } from "../../../src/api/types.ts";
import { ERR_AFFINITY, ERR_ANTI_AFFINITY, ERR_EXISTING_ANTI_AFFINITY, InterPodAffinity } from "../../../src/scheduler/plugins/inter-pod-affinity.ts";
import { OwnerSpread } from "../../../src/scheduler/plugins/owner-spread.ts";
import { cacheOf, filterAll, node, pod, scoreAll } from "../fixtures.ts";

const zone = (z: string) => ({ "topology.kubernetes.io/zone": z });
const term = (app: string, topologyKey = "kubernetes.io/hostname"): PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey });
const nodes = () => [node("a1", { labels: zone("a") }), node("a2", { labels: zone("a") }), node("b1", { labels: zone("b") })];

describe("InterPodAffinity filter", () => {
  test("required anti-affinity per hostname and per zone", () => {
    const cache = cacheOf(nodes(), [pod("db", { labels: { app: "db" }, nodeName: "a1" })]);
    const host = pod("p", { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term("db")] } } } });
    expect(filterAll(InterPodAffinity, host, cache)).toEqual({ a1: ERR_ANTI_AFFINITY, a2: "", b1: "" });
    const z = pod("p", { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term("db", "topology.kubernetes.io/zone")] } } } });
    expect(filterAll(InterPodAffinity, z, cache)).toEqual({ a1: ERR_ANTI_AFFINITY, a2: ERR_ANTI_AFFINITY, b1: "" });
  });

  test("required affinity needs a matching pod in the domain; the first of a self-selecting group goes anywhere", () => {
    const cache = cacheOf(nodes(), [pod("db", { labels: { app: "db" }, nodeName: "a1" })]);
    const p = pod("p", { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term("db", "topology.kubernetes.io/zone")] } } } });
    expect(filterAll(InterPodAffinity, p, cache)).toEqual({ a1: "", a2: "", b1: ERR_AFFINITY });
    const first = pod("c0", { labels: { app: "cache" }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term("cache")] } } } });
    expect(filterAll(InterPodAffinity, first, cache)).toEqual({ a1: "", a2: "", b1: "" });
    const stranger = pod("s", { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term("cache")] } } } });
    expect(Object.values(filterAll(InterPodAffinity, stranger, cache))).toEqual([ERR_AFFINITY, ERR_AFFINITY, ERR_AFFINITY]);
  });

  test("placed pods' anti-affinity keeps out pods they select (symmetry)", () => {
    const guard = pod("guard", { nodeName: "a1", spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term("noisy", "topology.kubernetes.io/zone")] } } } });
    const cache = cacheOf(nodes(), [guard]);
    expect(filterAll(InterPodAffinity, pod("n", { labels: { app: "noisy" } }), cache)).toEqual({ a1: ERR_EXISTING_ANTI_AFFINITY, a2: ERR_EXISTING_ANTI_AFFINITY, b1: "" });
    expect(filterAll(InterPodAffinity, pod("q", { labels: { app: "quiet" } }), cache)).toEqual({ a1: "", a2: "", b1: "" });
    cache.removePod("default/guard");
    expect(filterAll(InterPodAffinity, pod("n", { labels: { app: "noisy" } }), cache)).toEqual({ a1: "", a2: "", b1: "" });
  });

  test("terms look in the pod's own namespace unless told otherwise", () => {
    const cache = cacheOf(nodes(), [pod("db", { namespace: "other", labels: { app: "db" }, nodeName: "a1" })]);
    const own = pod("p", { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term("db")] } } } });
    expect(filterAll(InterPodAffinity, own, cache).a1).toBe("");
    const listed = pod("p", { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...term("db"), namespaces: ["other"] }] } } } });
    expect(filterAll(InterPodAffinity, listed, cache).a1).toBe(ERR_ANTI_AFFINITY);
    const all = pod("p", { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ ...term("db"), namespaceSelector: {} }] } } } });
    expect(filterAll(InterPodAffinity, all, cache).a1).toBe(ERR_ANTI_AFFINITY);
  });
});

describe("InterPodAffinity score", () => {
  test("preferred affinity pulls, preferred anti-affinity pushes", () => {
    const cache = cacheOf(nodes(), [pod("db", { labels: { app: "db" }, nodeName: "a1" })]);
    const near = pod("p", { spec: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term("db", "topology.kubernetes.io/zone") }] } } } });
    const s = scoreAll(InterPodAffinity, near, cache);
    expect(s.a1).toBe(100);
    expect(s.a2).toBe(100);
    expect(s.b1).toBe(0);
    const far = pod("p", { spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term("db") }] } } } });
    const f = scoreAll(InterPodAffinity, far, cache);
    expect(f.a1).toBeLessThan(f.b1);
  });
  test("placed pods' preferred anti-affinity is honoured symmetrically", () => {
    const shy = pod("shy", { nodeName: "a1", spec: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term("loud") }] } } } });
    const cache = cacheOf(nodes(), [shy]);
    const s = scoreAll(InterPodAffinity, pod("l", { labels: { app: "loud" } }), cache);
    expect(s.a1).toBeLessThan(s.a2);
  });
});

describe("OwnerSpread", () => {
  test("siblings spread over nodes and zones", () => {
    const cache = cacheOf(nodes(), [pod("r1", { owner: "rs", nodeName: "a1" }), pod("r2", { owner: "rs", nodeName: "a2" })]);
    const s = scoreAll(OwnerSpread, pod("r3", { owner: "rs" }), cache);
    expect(s.b1).toBe(100);
    expect(s.a1).toBeLessThan(s.b1);
    const unrelated = scoreAll(OwnerSpread, pod("x", { owner: "other" }), cache);
    expect(unrelated).toEqual({ a1: 0, a2: 0, b1: 0 });
  });
});
