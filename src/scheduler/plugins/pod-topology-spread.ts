// PodTopologySpread: with `whenUnsatisfiable: DoNotSchedule`, a node is out
// when placing the pod there would make its domain exceed the least populated
// eligible domain by more than maxSkew; `ScheduleAnyway` constraints only score
// (fewer matching pods in the node's domain is better).
//
// Counts come from the cache's per-selector index, so a pod costs O(domains),
// not O(pods). As in Kubernetes, only nodes passing the pod's nodeSelector /
// required node affinity and carrying the topology key form the domains.
import type { PodCountIndex, Snapshot } from "../cache.ts";
import { MAX_NODE_SCORE, type CycleState, type Plugin } from "../framework.ts";
import { hasNodeConstraints, termMatches, type PodInfo, type SpreadConstraint } from "../pod-info.ts";
import { nodeMatchesPod } from "./node-affinity.ts";

export const ERR_SPREAD = "node(s) didn't match pod topology spread constraints";
export const ERR_SPREAD_MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";

interface Prepared {
  c: SpreadConstraint;
  counts: ReadonlyMap<string, number>;
  min: number;
  self: number;
}

const FILTER_STATE = "PodTopologySpread/filter";
const SCORE_STATE = "PodTopologySpread/score";

/** Matching pods per eligible domain, and the set of eligible domains. */
function domainCounts(pod: PodInfo, c: SpreadConstraint, idx: PodCountIndex, snap: Snapshot): { counts: ReadonlyMap<string, number>; domains: ReadonlyMap<string, number> } {
  if (!hasNodeConstraints(pod.pod)) return { counts: idx.byDomain, domains: snap.domains(c.topologyKey) };
  const counts = new Map<string, number>();
  const domains = new Map<string, number>();
  for (const ni of snap.nodes()) {
    const d = ni.labels[c.topologyKey];
    if (d === undefined || !nodeMatchesPod(pod.pod, ni)) continue;
    domains.set(d, (domains.get(d) ?? 0) + 1);
    const n = idx.byNode.get(ni.name);
    if (n) counts.set(d, (counts.get(d) ?? 0) + n);
  }
  return { counts, domains };
}

function minCount(counts: ReadonlyMap<string, number>, domains: ReadonlyMap<string, number>, minDomains: number): number {
  if (domains.size < minDomains) return 0;
  let min = Infinity;
  for (const d of domains.keys()) {
    const n = counts.get(d) ?? 0;
    if (n < min) min = n;
    if (min === 0) break;
  }
  return min === Infinity ? 0 : min;
}

function prepare(pod: PodInfo, hard: boolean, snap: Snapshot): Prepared[] {
  const out: Prepared[] = [];
  for (const c of pod.spread) {
    if (c.hard !== hard) continue;
    const idx = snap.podCounts(c);
    const { counts, domains } = domainCounts(pod, c, idx, snap);
    // Some domain has no matching pod at all: the minimum is 0 without a walk.
    const min = counts.size < domains.size ? 0 : minCount(counts, domains, c.minDomains);
    out.push({ c, counts, min, self: termMatches(c, pod.namespace, pod.labels) ? 1 : 0 });
  }
  return out;
}

export const PodTopologySpread: Plugin = {
  name: "PodTopologySpread",
  weight: 2,
  preFilter(pod, snap, state: CycleState) {
    if (!pod.spread.some((c) => c.hard)) return "skip";
    state.write(FILTER_STATE, prepare(pod, true, snap));
  },
  filter(_pod, node, _snap, state) {
    for (const p of state.read<Prepared[]>(FILTER_STATE)!) {
      const d = node.labels[p.c.topologyKey];
      if (d === undefined) return ERR_SPREAD_MISSING_LABEL;
      if ((p.counts.get(d) ?? 0) + p.self - p.min > p.c.maxSkew) return ERR_SPREAD;
    }
    return undefined;
  },
  preScore(pod, _nodes, snap, state) {
    if (!pod.spread.some((c) => !c.hard)) return "skip";
    state.write(SCORE_STATE, prepare(pod, false, snap).map((p) => ({ ...p, weight: Math.log(snap.domains(p.c.topologyKey).size + 2) })));
  },
  // -1 marks a node without the topology key: it gets the lowest score.
  score(_pod, node, _snap, state) {
    let s = 0;
    for (const p of state.read<(Prepared & { weight: number })[]>(SCORE_STATE)!) {
      const d = node.labels[p.c.topologyKey];
      if (d === undefined) return -1;
      s += ((p.counts.get(d) ?? 0) + p.c.maxSkew - 1) * p.weight;
    }
    return s;
  },
  normalize(scores) {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      if (s < 0) continue;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] < 0) scores[i] = 0;
      else scores[i] = max === min ? MAX_NODE_SCORE : (MAX_NODE_SCORE * (max - scores[i])) / (max - min);
    }
  },
};
