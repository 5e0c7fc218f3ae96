// InterPodAffinity: required pod affinity needs a matching pod in the node's
// topology domain; required anti-affinity forbids one; and placed pods'
// anti-affinity terms keep out a newcomer they select (symmetry). Preferred
// terms, the pod's own and those of placed pods, add or subtract their weight
// per matching pod in the domain.
//
// Placed pods' terms are grouped by identical term in the cache, so the
// symmetric check costs O(distinct terms), not O(pods).
import type { Snapshot } from "../cache.ts";
import { normalizeMinMax, type Plugin } from "../framework.ts";
import { termMatches, type PodInfo } from "../pod-info.ts";

export const ERR_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

interface DomainCounts {
  key: string;
  counts: ReadonlyMap<string, number>;
}

interface FilterState {
  existingAnti: DomainCounts[];
  affinity: DomainCounts[];
  anti: DomainCounts[];
}

interface WeightedCounts extends DomainCounts {
  weight: number;
}

const FILTER_STATE = "InterPodAffinity/filter";
const SCORE_STATE = "InterPodAffinity/score";

function prepareFilter(pod: PodInfo, snap: Snapshot): FilterState {
  const existingAnti: DomainCounts[] = [];
  for (const g of snap.existingTermGroups(pod.labels)) {
    if (g.kind === "requiredAntiAffinity" && g.byDomain.size > 0 && termMatches(g.term, pod.namespace, pod.labels)) {
      existingAnti.push({ key: g.term.topologyKey, counts: g.byDomain });
    }
  }
  const affIdx = pod.requiredAffinity.map((t) => snap.podCounts(t));
  // The first pod of a group that selects itself may go anywhere, or it could never start.
  const firstOfGroup = affIdx.every((i) => i.total === 0) && pod.requiredAffinity.every((t) => termMatches(t, pod.namespace, pod.labels));
  return {
    existingAnti,
    affinity: firstOfGroup ? [] : affIdx.map((i) => ({ key: i.term.topologyKey, counts: i.byDomain })),
    anti: pod.requiredAntiAffinity.map((t) => ({ key: t.topologyKey, counts: snap.podCounts(t).byDomain })),
  };
}

function prepareScore(pod: PodInfo, snap: Snapshot): WeightedCounts[] {
  const out: WeightedCounts[] = [];
  for (const t of pod.preferredAffinity) out.push({ key: t.topologyKey, counts: snap.podCounts(t).byDomain, weight: t.weight });
  for (const t of pod.preferredAntiAffinity) out.push({ key: t.topologyKey, counts: snap.podCounts(t).byDomain, weight: -t.weight });
  for (const g of snap.existingTermGroups(pod.labels)) {
    if (g.kind === "requiredAntiAffinity" || !termMatches(g.term, pod.namespace, pod.labels)) continue;
    out.push({ key: g.term.topologyKey, counts: g.byDomain, weight: g.kind === "preferredAffinity" ? g.weight : -g.weight });
  }
  return out;
}

export const InterPodAffinity: Plugin = {
  name: "InterPodAffinity",
  weight: 2,
  preFilter(pod, snap, state) {
    const s = prepareFilter(pod, snap);
    if (!s.existingAnti.length && !s.affinity.length && !s.anti.length) return "skip";
    state.write(FILTER_STATE, s);
  },
  filter(_pod, node, _snap, state) {
    const s = state.read<FilterState>(FILTER_STATE)!;
    for (const e of s.existingAnti) {
      const d = node.labels[e.key];
      if (d !== undefined && e.counts.has(d)) return ERR_EXISTING_ANTI_AFFINITY;
    }
    for (const a of s.affinity) {
      const d = node.labels[a.key];
      if (d === undefined || !a.counts.has(d)) return ERR_AFFINITY;
    }
    for (const a of s.anti) {
      const d = node.labels[a.key];
      if (d !== undefined && a.counts.has(d)) return ERR_ANTI_AFFINITY;
    }
    return undefined;
  },
  preScore(pod, _nodes, snap, state) {
    const s = prepareScore(pod, snap);
    if (s.length === 0) return "skip";
    state.write(SCORE_STATE, s);
  },
  score(_pod, node, _snap, state) {
    let sum = 0;
    for (const w of state.read<WeightedCounts[]>(SCORE_STATE)!) {
      const d = node.labels[w.key];
      if (d !== undefined) sum += w.weight * (w.counts.get(d) ?? 0);
    }
    return sum;
  },
  normalize: (scores) => normalizeMinMax(scores, false),
};
