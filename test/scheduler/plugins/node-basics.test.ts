import { describe, expect, test } from "bun:test";
import { NodeAffinity, ERR_NODE_AFFINITY } from "../../../src/scheduler/plugins/node-affinity.ts";
import { NodeName, ERR_NODE_NAME } from "../../../src/scheduler/plugins/node-name.ts";
import { NodePorts, ERR_NODE_PORTS } from "../../../src/scheduler/plugins/node-ports.ts";
import { NodeUnschedulable, ERR_UNSCHEDULABLE } from "../../../src/scheduler/plugins/node-unschedulable.ts";
import { TaintToleration, tolerates } from "../../../src/scheduler/plugins/taint-toleration.ts";
import { cacheOf, filterAll, node, pod, scoreAll } from "../fixtures.ts";

describe("NodeUnschedulable", () => {
  const cache = cacheOf([node("a"), node("b", { unschedulable: true })]);
  test("cordoned node refuses ordinary pods", () => {
    expect(filterAll(NodeUnschedulable, pod("p"), cache)).toEqual({ a: "", b: ERR_UNSCHEDULABLE });
  });
  test("a pod tolerating the unschedulable taint may land there", () => {
    const p = pod("p", { spec: { tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }] } });
    expect(filterAll(NodeUnschedulable, p, cache)).toEqual({ a: "", b: "" });
  });
});

describe("NodeName", () => {
  test("only the named node fits", () => {
    const cache = cacheOf([node("a"), node("b")]);
    expect(filterAll(NodeName, pod("p", { spec: { nodeName: "b" } }), cache)).toEqual({ a: ERR_NODE_NAME, b: "" });
    expect(filterAll(NodeName, pod("p"), cache)).toEqual({ a: "", b: "" });
  });
});

describe("TaintToleration", () => {
  const cache = cacheOf([
    node("clean"),
    node("gpu", { taints: [{ key: "gpu", value: "true", effect: "NoSchedule" }] }),
    node("drain", { taints: [{ key: "maint", effect: "NoExecute" }] }),
    node("soft", { taints: [{ key: "spot", value: "yes", effect: "PreferNoSchedule" }] }),
    node("notready", { ready: "False" }),
    node("lost", { ready: "Unknown" }),
  ]);

  test("untolerated NoSchedule/NoExecute taints and readiness keep pods out, with the taint named", () => {
    expect(filterAll(TaintToleration, pod("p"), cache)).toEqual({
      clean: "",
      gpu: "node(s) had untolerated taint {gpu: true}",
      drain: "node(s) had untolerated taint {maint: }",
      soft: "",
      notready: "node(s) had untolerated taint {node.kubernetes.io/not-ready: }",
      lost: "node(s) had untolerated taint {node.kubernetes.io/unreachable: }",
    });
  });

  test("tolerations: Equal with value, Exists, empty key Exists tolerates everything", () => {
    const eq = pod("p", { spec: { tolerations: [{ key: "gpu", operator: "Equal", value: "true", effect: "NoSchedule" }] } });
    expect(filterAll(TaintToleration, eq, cache).gpu).toBe("");
    const wrong = pod("p", { spec: { tolerations: [{ key: "gpu", operator: "Equal", value: "false" }] } });
    expect(filterAll(TaintToleration, wrong, cache).gpu).not.toBe("");
    const all = pod("p", { spec: { tolerations: [{ operator: "Exists" }] } });
    expect(Object.values(filterAll(TaintToleration, all, cache)).every((r) => r === "")).toBe(true);
    expect(tolerates({ key: "maint", operator: "Exists", effect: "NoSchedule" }, { key: "maint", effect: "NoExecute" })).toBe(false);
  });

  test("PreferNoSchedule lowers the score", () => {
    const s = scoreAll(TaintToleration, pod("p"), cache);
    expect(s.soft).toBeLessThan(s.clean);
    const tol = scoreAll(TaintToleration, pod("p", { spec: { tolerations: [{ key: "spot", operator: "Exists" }] } }), cache);
    expect(tol.soft).toBe(tol.clean);
  });
});

describe("NodeAffinity", () => {
  const cache = cacheOf([
    node("a", { labels: { disk: "ssd", gen: "3" } }),
    node("b", { labels: { disk: "hdd", gen: "5" } }),
    node("c", { labels: { gen: "7" } }),
  ]);
  const required = (exprs: object[]) => pod("p", { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs as never }] } } } } });
  const pass = (r: Record<string, string>) => Object.keys(r).filter((k) => r[k] === "").sort();

  test("nodeSelector", () => {
    const r = filterAll(NodeAffinity, pod("p", { spec: { nodeSelector: { disk: "ssd" } } }), cache);
    expect(r).toEqual({ a: "", b: ERR_NODE_AFFINITY, c: ERR_NODE_AFFINITY });
  });
  test("In, NotIn, Exists, DoesNotExist, Gt, Lt", () => {
    expect(pass(filterAll(NodeAffinity, required([{ key: "disk", operator: "In", values: ["ssd", "nvme"] }]), cache))).toEqual(["a"]);
    expect(pass(filterAll(NodeAffinity, required([{ key: "disk", operator: "NotIn", values: ["ssd"] }]), cache))).toEqual(["b", "c"]);
    expect(pass(filterAll(NodeAffinity, required([{ key: "disk", operator: "Exists" }]), cache))).toEqual(["a", "b"]);
    expect(pass(filterAll(NodeAffinity, required([{ key: "disk", operator: "DoesNotExist" }]), cache))).toEqual(["c"]);
    expect(pass(filterAll(NodeAffinity, required([{ key: "gen", operator: "Gt", values: ["4"] }]), cache))).toEqual(["b", "c"]);
    expect(pass(filterAll(NodeAffinity, required([{ key: "gen", operator: "Lt", values: ["6"] }]), cache))).toEqual(["a", "b"]);
  });
  test("terms are ORed", () => {
    const p = pod("p", {
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] }, { matchFields: [{ key: "metadata.name", operator: "In", values: ["c"] }] }],
            },
          },
        },
      },
    });
    expect(pass(filterAll(NodeAffinity, p, cache))).toEqual(["a", "c"]);
  });
  test("preferred affinity scores matching nodes by weight", () => {
    const p = pod("p", {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 10, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] } },
              { weight: 5, preference: { matchExpressions: [{ key: "gen", operator: "Gt", values: ["4"] }] } },
            ],
          },
        },
      },
    });
    const s = scoreAll(NodeAffinity, p, cache);
    expect(s.a).toBe(100);
    expect(s.b).toBe(50);
    expect(s.c).toBe(50);
  });
});

describe("NodePorts", () => {
  const web = (name: string, port: number, ip?: string, protocol?: "TCP" | "UDP") =>
    pod(name, { spec: { containers: [{ name: "c", ports: [{ containerPort: 80, hostPort: port, hostIP: ip, protocol }] }] } });
  test("a taken host port excludes the node; other protocol or address does not", () => {
    const cache = cacheOf([node("a"), node("b")], [{ ...web("x", 8080, "10.0.0.1"), spec: { ...web("x", 8080, "10.0.0.1").spec, nodeName: "a" } }]);
    expect(filterAll(NodePorts, web("p", 8080), cache)).toEqual({ a: ERR_NODE_PORTS, b: "" });
    expect(filterAll(NodePorts, web("p", 8080, "10.0.0.2"), cache)).toEqual({ a: "", b: "" });
    expect(filterAll(NodePorts, web("p", 8080, undefined, "UDP"), cache)).toEqual({ a: "", b: "" });
    expect(filterAll(NodePorts, web("p", 9090), cache)).toEqual({ a: "", b: "" });
  });
});
