// Many pods with mixed requests, anti-affinity and spread on many fake nodes,
// through the pure scheduling core (framework + cache, no server). The
// invariants are checked against the pod list itself, not the cache's totals.
import { describe, expect, test } from "bun:test";
import { parseBytes, parseCpuMillis } from "../../src/api/quantity.ts";
import type { Node, Pod } from "../../src/api/types.ts";
import { SchedulerCache } from "../../src/scheduler/cache.ts";
import { Framework } from "../../src/scheduler/framework.ts";
import { fitErrorMessage } from "../../src/scheduler/messages.ts";
import { newPodInfo } from "../../src/scheduler/pod-info.ts";
import { defaultPlugins } from "../../src/scheduler/plugins/index.ts";
import { node, pod } from "./fixtures.ts";

const ZONE = "topology.kubernetes.io/zone";
const HOST = "kubernetes.io/hostname";

// Deterministic pseudo-random numbers, so a failure reproduces.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function buildCluster(n: number, rand: () => number): Node[] {
  return Array.from({ length: n }, (_, i) =>
    node(`node-${i}`, {
      cpu: ["2", "4", "8"][i % 3],
      memory: ["4Gi", "8Gi", "16Gi"][i % 3],
      pods: "30",
      labels: { [ZONE]: `zone-${i % 4}` },
      taints: rand() < 0.05 ? [{ key: "dedicated", value: "infra", effect: "NoSchedule" }] : undefined,
    }),
  );
}

function buildPods(count: number, rand: () => number): Pod[] {
  const pods: Pod[] = [];
  for (let i = 0; i < count; i++) {
    const cpu = `${50 + Math.floor(rand() * 450)}m`;
    const memory = `${64 + Math.floor(rand() * 448)}Mi`;
    const kind = i % 5;
    if (kind === 0) {
      const group = `anti-${i % 7}`;
      pods.push(pod(`p${i}`, { cpu, memory, labels: { group }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { group } }, topologyKey: HOST }] } } } }));
    } else if (kind === 1) {
      const app = `spread-${i % 3}`;
      pods.push(
        pod(`p${i}`, {
          cpu,
          memory,
          labels: { app },
          spec: {
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app } } },
              { maxSkew: 2, topologyKey: HOST, whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app } } },
            ],
          },
        }),
      );
    } else {
      pods.push(pod(`p${i}`, { cpu, memory, owner: `rs-${i % 11}` }));
    }
  }
  return pods;
}

interface Outcome {
  placed: Map<string, string>;
  failed: Map<string, string>;
  ms: number;
}

function run(nodes: Node[], pods: Pod[], seed: number): Outcome {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.upsertNode(n);
  const fw = new Framework(defaultPlugins(), { random: rng(seed) });
  const placed = new Map<string, string>();
  const failed = new Map<string, string>();
  const t0 = performance.now();
  for (const p of pods) {
    const info = newPodInfo(p);
    const r = fw.schedule(info, cache);
    if (r.node === undefined) failed.set(p.metadata.name!, fitErrorMessage(r.numAllNodes, r.reasons));
    else {
      cache.assume(info, r.node);
      placed.set(p.metadata.name!, r.node);
    }
  }
  return { placed, failed, ms: performance.now() - t0 };
}

function assertInvariants(nodes: Node[], pods: Pod[], { placed }: Outcome): void {
  const byName = new Map(nodes.map((n) => [n.metadata.name!, n]));
  const podsOn = new Map<string, Pod[]>();
  for (const p of pods) {
    const n = placed.get(p.metadata.name!);
    if (n) podsOn.set(n, [...(podsOn.get(n) ?? []), p]);
  }
  for (const [name, list] of podsOn) {
    const n = byName.get(name)!;
    const alloc = n.status!.allocatable!;
    const cpu = list.reduce((s, p) => s + parseCpuMillis(p.spec.containers[0].resources!.requests!.cpu), 0);
    const mem = list.reduce((s, p) => s + parseBytes(p.spec.containers[0].resources!.requests!.memory), 0);
    expect(cpu).toBeLessThanOrEqual(parseCpuMillis(alloc.cpu));
    expect(mem).toBeLessThanOrEqual(parseBytes(alloc.memory));
    expect(list.length).toBeLessThanOrEqual(Number(alloc.pods));
    expect(n.spec?.taints).toBeUndefined(); // no pod tolerates the taint
    // Anti-affinity: at most one pod per group per host.
    const groups = list.map((p) => p.metadata.labels?.group).filter(Boolean);
    expect(new Set(groups).size).toBe(groups.length);
  }
  // Spread: per app, zone skew ≤ 1 and host skew ≤ 2 over every node carrying the key.
  for (const app of ["spread-0", "spread-1", "spread-2"]) {
    const zoneCount = new Map<string, number>(nodes.map((n) => [n.metadata.labels![ZONE], 0]));
    const hostCount = new Map<string, number>(nodes.map((n) => [n.metadata.name!, 0]));
    for (const p of pods) {
      if (p.metadata.labels?.app !== app || !placed.has(p.metadata.name!)) continue;
      const n = byName.get(placed.get(p.metadata.name!)!)!;
      zoneCount.set(n.metadata.labels![ZONE], zoneCount.get(n.metadata.labels![ZONE])! + 1);
      hostCount.set(n.metadata.name!, hostCount.get(n.metadata.name!)! + 1);
    }
    const skew = (m: Map<string, number>) => Math.max(...m.values()) - Math.min(...m.values());
    expect(skew(zoneCount)).toBeLessThanOrEqual(1);
    expect(skew(hostCount)).toBeLessThanOrEqual(2);
  }
}

describe("simulated cluster", () => {
  test("300 nodes, 3,000 mixed pods: nothing over-committed, every constraint holds", () => {
    const rand = rng(42);
    const nodes = buildCluster(300, rand);
    const pods = buildPods(3000, rand);
    const out = run(nodes, pods, 7);
    expect(out.placed.size).toBeGreaterThan(2500);
    assertInvariants(nodes, pods, out);
  });

  test("when the cluster fills up, pods fail with the reason that stops them", () => {
    const rand = rng(1);
    const nodes = buildCluster(20, rand);
    const pods = buildPods(1500, rand);
    const out = run(nodes, pods, 3);
    assertInvariants(nodes, pods, out);
    expect(out.failed.size).toBeGreaterThan(0);
    // A 7-pod anti-affinity group on 20 nodes: the 21st member fails for anti-affinity (or resources).
    for (const [name, msg] of out.failed) {
      expect(msg).toStartWith("0/20 nodes are available: ");
      const i = Number(name.slice(1));
      if (i % 5 === 0) expect(msg).toMatch(/anti-affinity|Insufficient|Too many pods|untolerated taint/);
    }
  });

  test("pods that cannot fit anywhere say why", () => {
    const nodes = buildCluster(10, rng(5));
    const huge = pod("huge", { cpu: "64" });
    const lost = pod("lost", { spec: { nodeSelector: { disk: "tape" } } });
    const out = run(nodes, [huge, lost], 1);
    const tainted = nodes.filter((n) => n.spec?.taints).length;
    const huge_ = out.failed.get("huge")!;
    expect(huge_).toContain(`${10 - tainted} Insufficient cpu`);
    expect(out.failed.get("lost")).toContain("node(s) didn't match Pod's node affinity/selector");
  });

  test("5,000 nodes × 10,000 pods: decisions stay fast", () => {
    const rand = rng(9);
    const nodes = Array.from({ length: 5000 }, (_, i) => node(`n${i}`, { labels: { [ZONE]: `z${i % 10}` } }));
    const pods = buildPods(10_000, rand);
    const out = run(nodes, pods, 2);
    expect(out.placed.size).toBe(10_000);
    assertInvariants(nodes, pods, out);
    console.log(`simulated: 10,000 pods on 5,000 nodes in ${out.ms.toFixed(0)} ms (${((10_000 / out.ms) * 1000).toFixed(0)} decisions/s)`);
    expect(out.ms).toBeLessThan(30_000);
  }, 60_000);
});
