import { describe, expect, test } from "bun:test";
import { makeTerm, newPodInfo } from "../../src/scheduler/pod-info.ts";
import { cacheOf, node, pod } from "./fixtures.ts";

const ZONE = "topology.kubernetes.io/zone";
const nodes = () => [node("a1", { labels: { [ZONE]: "a" } }), node("b1", { labels: { [ZONE]: "b" } })];

describe("SchedulerCache pod count indexes", () => {
  test("counts match the pods whichever way the selector is written, before and after the index exists", () => {
    const cache = cacheOf(nodes(), [pod("x", { labels: { app: "web" }, nodeName: "a1" }), pod("y", { labels: { app: "api" }, nodeName: "b1" }), pod("z", { labels: { app: "db" }, nodeName: "b1" })]);
    const inTerm = makeTerm(["default"], { matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] }, ZONE);
    const notIn = makeTerm(["default"], { matchExpressions: [{ key: "app", operator: "NotIn", values: ["web"] }] }, ZONE);
    const exists = makeTerm(null, { matchExpressions: [{ key: "app", operator: "Exists" }] }, ZONE);
    expect(Object.fromEntries(cache.podCounts(inTerm).byDomain)).toEqual({ a: 1, b: 1 });
    expect(Object.fromEntries(cache.podCounts(notIn).byDomain)).toEqual({ b: 2 });
    cache.upsertPod(pod("w", { labels: { app: "web" }, nodeName: "b1" }));
    cache.upsertPod(pod("other-ns", { namespace: "x", labels: { app: "web" }, nodeName: "b1" }));
    expect(Object.fromEntries(cache.podCounts(inTerm).byDomain)).toEqual({ a: 1, b: 2 });
    expect(Object.fromEntries(cache.podCounts(notIn).byDomain)).toEqual({ b: 2 });
    expect(cache.podCounts(exists).total).toBe(5);
    // A label change moves the pod between selectors.
    cache.upsertPod(pod("w", { labels: { app: "cache" }, nodeName: "b1" }));
    expect(Object.fromEntries(cache.podCounts(inTerm).byDomain)).toEqual({ a: 1, b: 1 });
    expect(Object.fromEntries(cache.podCounts(notIn).byDomain)).toEqual({ b: 3 });
  });

  test("domains by count include empty domains and follow placements", () => {
    const cache = cacheOf(nodes());
    const t = makeTerm(["default"], { matchLabels: { app: "web" } }, ZONE);
    const idx = cache.podCounts(t);
    const view = () => Object.fromEntries([...cache.domainsByCount(idx)].map(([n, s]) => [n, [...s].sort()]));
    expect(view()).toEqual({ 0: ["a", "b"] });
    cache.assume(newPodInfo(pod("x", { labels: { app: "web" } })), "a1");
    expect(view()).toEqual({ 0: ["b"], 1: ["a"] });
    cache.forget("default/x");
    expect(view()).toEqual({ 0: ["a", "b"] });
  });

  test("placed pods' terms are found by the labels they select", () => {
    const anti = (name: string, app: string) => pod(name, { nodeName: "a1", spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app } }, topologyKey: ZONE }] } } } });
    const broad = pod("broad", { nodeName: "b1", spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchExpressions: [{ key: "tier", operator: "Exists" }] }, topologyKey: ZONE }] } } } });
    const cache = cacheOf(nodes(), [anti("g1", "one"), anti("g2", "two"), broad]);
    const sigs = (labels: Record<string, string>) => [...cache.existingTermGroups(labels)].map((g) => g.term.signature).sort();
    expect(sigs({ app: "one" })).toHaveLength(2); // its own group and the unfiled Exists term
    expect(sigs({ app: "three" })).toHaveLength(1);
    expect([...cache.existingTermGroups()]).toHaveLength(3);
    cache.removePod("default/g1");
    expect(sigs({ app: "one" })).toHaveLength(1);
  });
});
