import { describe, expect, test } from "bun:test";
import { conditionsChanged, mergeNode, nodeConditions, nodeStatus, parseLabel, parseMemInfo, parseTaint, desiredNode, type HostFacts, type NodeConfig } from "../../src/agent/node-status.ts";
import { nodeLease } from "../../src/agent/lease.ts";

const facts: HostFacts = { cpus: 4, memTotalKi: 8_000_000, memAvailableKi: 4_000_000, diskAvailableFraction: 0.5, pids: 100, pidMax: 4_194_304 };
const cfg: NodeConfig = { nodeName: "n1", nodeIP: "127.0.0.2", labels: { zone: "a" }, taints: [{ key: "edge", value: "true", effect: "NoSchedule" }], maxPods: 110, kubeletPort: 12345, runtime: "process" };

describe("node status", () => {
  test("flags: labels and taints", () => {
    expect(parseLabel("a=b=c")).toEqual(["a", "b=c"]);
    expect(() => parseLabel("nope")).toThrow();
    expect(parseTaint("dedicated=gpu:NoSchedule")).toEqual({ key: "dedicated", value: "gpu", effect: "NoSchedule" });
    expect(parseTaint("maintenance:NoExecute")).toEqual({ key: "maintenance", effect: "NoExecute" });
    expect(() => parseTaint("x=y:Sometimes")).toThrow(/Effect/);
  });

  test("meminfo", () => {
    expect(parseMemInfo("MemTotal:       16314140 kB\nMemFree:  1 kB\nMemAvailable:   9000000 kB\n")).toEqual({ totalKi: 16314140, availableKi: 9000000 });
  });

  test("capacity from the host unless declared; addresses, daemon endpoint, labels", () => {
    const s = nodeStatus(cfg, facts, undefined, "2026-01-01T00:00:00Z");
    expect(s.capacity).toEqual({ cpu: "4", memory: "8000000Ki", pods: "110" });
    expect(nodeStatus({ ...cfg, cpu: "2", memory: "1Gi" }, facts, undefined, "t").capacity).toEqual({ cpu: "2", memory: "1Gi", pods: "110" });
    expect(s.addresses).toContainEqual({ type: "InternalIP", address: "127.0.0.2" });
    expect(s.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 12345 } });
    const n = desiredNode(cfg);
    expect(n.metadata.labels).toMatchObject({ "kubernetes.io/hostname": "n1", zone: "a" });
    expect(n.metadata.labels!["kubernetes.io/os"]).toBe(process.platform);
    expect(n.spec?.taints).toEqual(cfg.taints);
  });

  test("conditions: pressure, transition times kept, heartbeat-only changes ignored", () => {
    const c1 = nodeConditions(facts, undefined, "2026-01-01T00:00:00Z");
    expect(c1.map((c) => `${c.type}=${c.status}`)).toEqual(["MemoryPressure=False", "DiskPressure=False", "PIDPressure=False", "Ready=True"]);
    const c2 = nodeConditions(facts, c1, "2026-01-01T00:01:00Z");
    expect(conditionsChanged(c1, c2)).toBe(false);
    const c3 = nodeConditions({ ...facts, memAvailableKi: 1000 }, c2, "2026-01-01T00:02:00Z");
    expect(conditionsChanged(c2, c3)).toBe(true);
    expect(c3[0]).toMatchObject({ status: "True", reason: "KubeletHasInsufficientMemory", lastTransitionTime: "2026-01-01T00:02:00Z" });
    expect(c3[3]!.lastTransitionTime).toBe("2026-01-01T00:00:00Z");
  });

  test("re-registration keeps others' labels and taints", () => {
    const stored = { apiVersion: "v1", kind: "Node", metadata: { name: "n1", labels: { team: "x", zone: "old" } }, spec: { taints: [{ key: "other", effect: "NoExecute" as const }] } };
    const merged = mergeNode(stored, cfg);
    expect(merged.metadata.labels).toMatchObject({ team: "x", zone: "a" });
    expect(merged.spec?.taints?.map((t) => t.key)).toEqual(["other", "edge"]);
  });

  test("lease object", () => {
    const l = nodeLease("n1", 40, "2026-01-01T00:00:00Z", "uid-1");
    expect(l.metadata).toMatchObject({ name: "n1", namespace: "kube-node-lease", ownerReferences: [{ kind: "Node", name: "n1", uid: "uid-1" }] });
    expect(l.spec).toEqual({ holderIdentity: "n1", leaseDurationSeconds: 40, renewTime: "2026-01-01T00:00:00Z" });
  });
});
