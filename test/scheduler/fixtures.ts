// Hand-built nodes, pods and snapshots for scheduler unit tests (no server).
import type { Node, Pod, PodSpec, Taint } from "../../src/api/types.ts";
import { SchedulerCache } from "../../src/scheduler/cache.ts";
import { CycleState, type Plugin } from "../../src/scheduler/framework.ts";
import { newPodInfo, type PodInfo } from "../../src/scheduler/pod-info.ts";

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  ready?: "True" | "False" | "Unknown";
}

export function node(name: string, o: NodeOpts = {}): Node {
  const allocatable = { cpu: o.cpu ?? "4", memory: o.memory ?? "8Gi", pods: o.pods ?? "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...o.labels } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { capacity: allocatable, allocatable, conditions: [{ type: "Ready", status: o.ready ?? "True" }] },
  };
}

export interface PodOpts {
  namespace?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  owner?: string;
  spec?: Partial<PodSpec>;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: o.namespace ?? "default",
      uid: `uid-${name}`,
      labels: o.labels,
      ownerReferences: o.owner ? [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: o.owner, uid: `uid-${o.owner}`, controller: true }] : undefined,
    },
    spec: { containers: [{ name: "c", image: "x", resources: { requests } }], nodeName: o.nodeName, ...o.spec },
  };
}

export function cacheOf(nodes: Node[], pods: Pod[] = []): SchedulerCache {
  const c = new SchedulerCache();
  for (const n of nodes) c.upsertNode(n);
  for (const p of pods) c.upsertPod(p);
  return c;
}

/** Run one plugin's preFilter + filter for `p` on every node: node name → reason ("" when it passes). */
export function filterAll(plugin: Plugin, p: Pod, cache: SchedulerCache): Record<string, string> {
  const info = newPodInfo(p);
  const state = new CycleState();
  const pre = plugin.preFilter?.(info, cache, state);
  const out: Record<string, string> = {};
  for (const ni of cache.nodes()) {
    if (pre === "skip") out[ni.name] = "";
    else if (pre && "reject" in pre) out[ni.name] = pre.reject;
    else {
      const r = plugin.filter!(info, ni, cache, state);
      out[ni.name] = r === undefined ? "" : typeof r === "string" ? r : r.join("; ");
    }
  }
  return out;
}

/** Run one plugin's preScore + score + normalize: node name → score. */
export function scoreAll(plugin: Plugin, p: Pod, cache: SchedulerCache): Record<string, number> {
  const info: PodInfo = newPodInfo(p);
  const state = new CycleState();
  const nodes = cache.nodes();
  const out: Record<string, number> = {};
  if (plugin.preScore?.(info, nodes, cache, state) === "skip") {
    for (const ni of nodes) out[ni.name] = 0;
    return out;
  }
  const scores = new Float64Array(nodes.length);
  nodes.forEach((ni, i) => (scores[i] = plugin.score!(info, ni, cache, state)));
  plugin.normalize?.(scores, state);
  nodes.forEach((ni, i) => (out[ni.name] = scores[i]));
  return out;
}
