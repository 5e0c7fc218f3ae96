// PodTopologySpread: with `whenUnsatisfiable: DoNotSchedule`, a node is out
// when placing the pod there would make its domain exceed the least populated
// eligible domain by more than maxSkew; `ScheduleAnyway` constraints only score
// (fewer matching pods in the node's domain is better).
//
// Counts come from the cache's per-selector index, so a pod costs O(domains),
// not O(pods). As in Kubernetes, only nodes passing the pod's nodeSelector /
// required node affinity and carrying the topology key form the domains.
import type { PodCountIndex, Snapshot } from "../cache.ts";
import type { NodeInfo } from "../node-info.ts";
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
  /** Domains by count; absent when the pod's node constraints narrow the domains. */
  byCount?: ReadonlyMap<number, ReadonlySet<string>>;
  domainCount: number;
}

const FILTER_STATE = "PodTopologySpread/filter";
const SCORE_STATE = "PodTopologySpread/score";

/** Matching pods per eligible domain, walking the nodes that pass the pod's node constraints. */
function constrainedCounts(pod: PodInfo, c: SpreadConstraint, idx: PodCountIndex, snap: Snapshot): { counts: Map<string, number>; domains: Map<string, number> } {
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

function minOver(counts: ReadonlyMap<string, number>, domains: ReadonlyMap<string, number>): number {
  // Some domain has no matching pod at all: the minimum is 0 without a walk.
  if (counts.size < domains.size) return 0;
  let min = Infinity;
  for (const d of domains.keys()) min = Math.min(min, counts.get(d) ?? 0);
  return min === Infinity ? 0 : min;
}

function smallestKey(byCount: ReadonlyMap<number, ReadonlySet<string>>): number {
  let min = Infinity;
  for (const k of byCount.keys()) if (k < min) min = k;
  return min === Infinity ? 0 : min;
}

function prepare(pod: PodInfo, hard: boolean, snap: Snapshot): Prepared[] {
  const out: Prepared[] = [];
  const constrained = hasNodeConstraints(pod.pod);
  for (const c of pod.spread) {
    if (c.hard !== hard) continue;
    const idx = snap.podCounts(c);
    const self = termMatches(c, pod.namespace, pod.labels) ? 1 : 0;
    if (constrained) {
      const { counts, domains } = constrainedCounts(pod, c, idx, snap);
      const min = domains.size < c.minDomains ? 0 : minOver(counts, domains);
      out.push({ c, counts, min, self, domainCount: domains.size });
    } else {
      const domainCount = snap.domains(c.topologyKey).size;
      const byCount = snap.domainsByCount(idx);
      const min = domainCount < c.minDomains ? 0 : smallestKey(byCount);
      out.push({ c, counts: idx.byDomain, min, self, byCount, domainCount });
    }
  }
  return out;
}

/**
 * The nodes in domains that can still take the pod under the most selective
 * constraint, when that rules out most of the cluster (hostname spreading late
 * in a round): the framework then filters only these instead of scanning all.
 * Costs O(distinct counts + allowed domains), never a walk over all domains.
 */
function candidates(prepared: Prepared[], snap: Snapshot): readonly NodeInfo[] | undefined {
  let best: { p: Prepared; allowed: number } | undefined;
  for (const p of prepared) {
    if (!p.byCount || p.domainCount === 0) continue;
    const threshold = p.min + p.c.maxSkew - p.self;
    let allowed = 0;
    for (const [count, domains] of p.byCount) if (count <= threshold) allowed += domains.size;
    if (!best || allowed / p.domainCount < best.allowed / best.p.domainCount) best = { p, allowed };
  }
  // Listing the allowed domains pays off once they are a minority; above that a
  // plain scan finds enough feasible nodes quickly.
  if (!best || best.allowed * 2 > best.p.domainCount) return undefined;
  const { p } = best;
  const threshold = p.min + p.c.maxSkew - p.self;
  const out: NodeInfo[] = [];
  for (const [count, domains] of p.byCount!) {
    if (count > threshold) continue;
    for (const d of domains) for (const ni of snap.nodesIn(p.c.topologyKey, d)) out.push(ni);
  }
  return out;
}

export const PodTopologySpread: Plugin = {
  name: "PodTopologySpread",
  weight: 2,
  preFilter(pod, snap, state: CycleState) {
    if (!pod.spread.some((c) => c.hard)) return "skip";
    const prepared = prepare(pod, true, snap);
    state.write(FILTER_STATE, prepared);
    const only = candidates(prepared, snap);
    if (only) return { candidates: only };
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
    state.write(SCORE_STATE, prepare(pod, false, snap).map((p) => ({ ...p, weight: Math.log(p.domainCount + 2) })));
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
