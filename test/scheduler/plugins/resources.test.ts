import { describe, expect, test } from "bun:test";
import { NodeResourcesBalancedAllocation } from "../../../src/scheduler/plugins/balanced-allocation.ts";
import { NodeResourcesFit } from "../../../src/scheduler/plugins/node-resources-fit.ts";
import { newPodInfo } from "../../../src/scheduler/pod-info.ts";
import { cacheOf, filterAll, node, pod, scoreAll } from "../fixtures.ts";

describe("NodeResourcesFit", () => {
  test("counts bound pods against allocatable, naming each insufficient resource", () => {
    const cache = cacheOf([node("small", { cpu: "1", memory: "1Gi" }), node("big", { cpu: "8", memory: "16Gi" })], [pod("used", { cpu: "600m", memory: "512Mi", nodeName: "small" })]);
    const r = filterAll(NodeResourcesFit, pod("p", { cpu: "500m", memory: "600Mi" }), cache);
    expect(r).toEqual({ small: "Insufficient cpu; Insufficient memory", big: "" });
    expect(filterAll(NodeResourcesFit, pod("p", { cpu: "400m" }), cache).small).toBe("");
  });

  test("pod count: allocatable pods, default 110", () => {
    const cache = cacheOf([node("two", { pods: "2" })], [pod("x", { nodeName: "two" }), pod("y", { nodeName: "two" })]);
    expect(filterAll(NodeResourcesFit, pod("p"), cache).two).toBe("Too many pods");
    const n = node("default");
    delete n.status!.allocatable!.pods;
    delete n.status!.capacity!.pods;
    const c2 = cacheOf([n]);
    expect(c2.node("default")!.allocatable.pods).toBe(110);
  });

  test("assumed pods count; forgetting releases", () => {
    const cache = cacheOf([node("n", { cpu: "1" })]);
    cache.assume(newPodInfo(pod("a", { cpu: "800m" })), "n");
    expect(filterAll(NodeResourcesFit, pod("p", { cpu: "300m" }), cache).n).toBe("Insufficient cpu");
    cache.forget("default/a");
    expect(filterAll(NodeResourcesFit, pod("p", { cpu: "300m" }), cache).n).toBe("");
  });

  test("extended resources and init containers", () => {
    const n = node("gpu");
    n.status!.allocatable!["nvidia.com/gpu"] = "1";
    const cache = cacheOf([n, node("plain")]);
    const gpuPod = pod("p", { spec: { containers: [{ name: "c", resources: { limits: { "nvidia.com/gpu": "1" } } }] } });
    expect(filterAll(NodeResourcesFit, gpuPod, cache)).toEqual({ gpu: "", plain: "Insufficient nvidia.com/gpu" });
    const init = pod("p", { cpu: "100m", spec: { initContainers: [{ name: "i", resources: { requests: { cpu: "5" } } }] } });
    expect(newPodInfo(init).requests.milliCpu).toBe(5000);
  });

  test("least-allocated score prefers the emptier node", () => {
    const cache = cacheOf([node("busy", { cpu: "4", memory: "4Gi" }), node("idle", { cpu: "4", memory: "4Gi" })], [pod("x", { cpu: "3", memory: "3Gi", nodeName: "busy" })]);
    const s = scoreAll(NodeResourcesFit, pod("p", { cpu: "100m", memory: "100Mi" }), cache);
    expect(s.idle).toBeGreaterThan(s.busy);
  });
});

describe("NodeResourcesBalancedAllocation", () => {
  test("prefers the node where cpu and memory use stay even", () => {
    const cache = cacheOf([node("cpuheavy", { cpu: "4", memory: "4Gi" }), node("even", { cpu: "4", memory: "4Gi" })], [pod("x", { cpu: "3", memory: "200Mi", nodeName: "cpuheavy" })]);
    const s = scoreAll(NodeResourcesBalancedAllocation, pod("p", { cpu: "500m", memory: "512Mi" }), cache);
    expect(s.even).toBeGreaterThan(s.cpuheavy);
  });
});
