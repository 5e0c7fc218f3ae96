// Random operations on the incremental cache must leave every aggregate equal
// to what a cache built from scratch from the final state computes.
import { expect, test } from "bun:test";
import type { Node, Pod } from "../../src/api/types.ts";
import { SchedulerCache } from "../../src/scheduler/cache.ts";
import { makeTerm, newPodInfo } from "../../src/scheduler/pod-info.ts";
import { node, pod } from "./fixtures.ts";

const ZONE = "topology.kubernetes.io/zone";
const HOST = "kubernetes.io/hostname";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const terms = [
  makeTerm(["default"], { matchLabels: { app: "a" } }, ZONE),
  makeTerm(["default"], { matchLabels: { app: "b" } }, HOST),
  makeTerm(null, { matchExpressions: [{ key: "app", operator: "In", values: ["a", "c"] }] }, ZONE),
  makeTerm(["x"], { matchExpressions: [{ key: "app", operator: "NotIn", values: ["b"] }] }, HOST),
  makeTerm(null, { matchExpressions: [{ key: "app", operator: "Exists" }] }, ZONE),
];

function snapshot(c: SchedulerCache) {
  const sortObj = (m: ReadonlyMap<string, number>) => Object.fromEntries([...m].sort());
  return {
    nodes: c.nodes().map((n) => ({ name: n.name, cpu: n.requested.milliCpu, mem: n.requested.memory, pods: n.pods.size, ports: n.usedPorts.length })).sort((a, b) => a.name.localeCompare(b.name)),
    indexes: terms.map((t) => {
      const idx = c.podCounts(t);
      const byCount = Object.fromEntries([...c.domainsByCount(idx)].map(([k, s]) => [k, [...s].sort()]).sort());
      return { total: idx.total, byDomain: sortObj(idx.byDomain), byNode: sortObj(idx.byNode), byCount };
    }),
    groups: Object.fromEntries([...c.existingTermGroups()].map((g) => [`${g.kind}|${g.weight}|${g.term.signature}`, { pods: g.pods, byDomain: sortObj(g.byDomain) }]).sort()),
    owners: ["rs1", "rs2"].map((o) => {
      const oc = c.ownerCounts(`uid-${o}`);
      return oc ? { byNode: sortObj(oc.byNode), byZone: sortObj(oc.byZone) } : null;
    }),
  };
}

test("incremental aggregates equal a rebuild after 3,000 random operations", () => {
  const rand = rng(2024);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const c = new SchedulerCache();
  const nodes = new Map<string, Node>();
  const pods = new Map<string, { pod: Pod; nodeName: string; assumed: boolean }>();
  const newNode = (name: string) => node(name, { labels: { [ZONE]: pick(["z1", "z2", "z3"]) } });
  for (let i = 0; i < 6; i++) {
    const n = newNode(`n${i}`);
    nodes.set(n.metadata.name!, n);
    c.upsertNode(n);
  }
  let seq = 0;
  const randomPod = (nodeName: string): Pod => {
    const name = `p${seq++}`;
    const p = pod(name, { namespace: pick(["default", "x"]), cpu: `${1 + Math.floor(rand() * 100)}m`, labels: rand() < 0.9 ? { app: pick(["a", "b", "c"]) } : undefined, owner: rand() < 0.5 ? pick(["rs1", "rs2"]) : undefined });
    if (rand() < 0.3) p.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: pick(["a", "b"]) } }, topologyKey: pick([ZONE, HOST]) }] } };
    if (rand() < 0.2) p.spec.affinity = { ...p.spec.affinity, podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: { labelSelector: { matchLabels: { app: "c" } }, topologyKey: ZONE } }] } };
    if (rand() < 0.1) p.spec.containers[0].ports = [{ containerPort: 80, hostPort: 8000 + Math.floor(rand() * 3) }];
    p.spec.nodeName = nodeName;
    return p;
  };

  const rebuild = () => {
    const fresh = new SchedulerCache();
    for (const n of nodes.values()) fresh.upsertNode(n);
    for (const [, e] of pods) {
      if (e.assumed) fresh.assume(newPodInfo(e.pod), e.nodeName);
      else fresh.upsertPod(e.pod);
    }
    return fresh;
  };

  for (let step = 0; step < 3000; step++) {
    // Compare now and then; comparing also builds indexes that later steps must maintain.
    if (step % 25 === 0) expect(snapshot(c)).toEqual(snapshot(rebuild()));
    const r = rand();
    const nodeNames = [...nodes.keys()];
    const podKeys = [...pods.keys()];
    if (r < 0.3 && nodeNames.length) {
      const p = randomPod(pick(nodeNames));
      const key = `${p.metadata.namespace}/${p.metadata.name}`;
      if (rand() < 0.5) {
        c.upsertPod(p);
        pods.set(key, { pod: p, nodeName: p.spec.nodeName!, assumed: false });
      } else {
        const nodeName = p.spec.nodeName!;
        delete p.spec.nodeName;
        c.assume(newPodInfo(p), nodeName);
        pods.set(key, { pod: p, nodeName, assumed: true });
      }
    } else if (r < 0.45 && podKeys.length) {
      const key = pick(podKeys);
      const e = pods.get(key)!;
      if (e.assumed) c.forget(key);
      else c.removePod(key);
      pods.delete(key);
    } else if (r < 0.55 && podKeys.length) {
      const key = pick(podKeys);
      const e = pods.get(key)!;
      if (e.assumed) {
        // The bind's confirmation arrives.
        const bound = structuredClone(e.pod);
        bound.spec.nodeName = e.nodeName;
        c.upsertPod(bound);
        pods.set(key, { pod: bound, nodeName: e.nodeName, assumed: false });
      } else {
        const relabeled = structuredClone(e.pod);
        relabeled.metadata.labels = { app: pick(["a", "b", "c"]) };
        c.upsertPod(relabeled);
        pods.set(key, { ...e, pod: relabeled });
      }
    } else if (r < 0.6) {
      const n = newNode(`n${seq++}`);
      nodes.set(n.metadata.name!, n);
      c.upsertNode(n);
    } else if (r < 0.65 && nodeNames.length > 2) {
      const name = pick(nodeNames);
      nodes.delete(name);
      c.removeNode(name);
    } else if (r < 0.72 && nodeNames.length) {
      const n = structuredClone(nodes.get(pick(nodeNames))!);
      n.metadata.labels![ZONE] = pick(["z1", "z2", "z3", "z4"]);
      nodes.set(n.metadata.name!, n);
      c.upsertNode(n);
    } else if (nodeNames.length) {
      // Indexes built mid-way must then be maintained, not just rebuilt.
      c.domainsByCount(c.podCounts(pick(terms)));
    }
  }

  expect(snapshot(c)).toEqual(snapshot(rebuild()));
  expect(c.podCount()).toBe(pods.size);
});
