// The scheduling framework: the plugin interface and the one algorithm that
// runs plugins for a pod — pre-filter, filter nodes (a sample of them on big
// clusters), score the feasible ones, pick the best with a random tie-break.
// It knows no plugin by name; everything here is a pure function of the pod
// and the snapshot (plus a random source), so it is tested without a server.
import type { Snapshot } from "./cache.ts";
import type { NodeInfo } from "./node-info.ts";
import type { PodInfo } from "./pod-info.ts";

/** Per-pod scratch space where a plugin keeps what its preFilter/preScore computed. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write<T>(key: string, value: T): void {
    this.data.set(key, value);
  }
}

/** undefined: the node passes; otherwise the reason(s) it does not, as users read them. */
export type FilterResult = undefined | string | string[];

/**
 * "skip": this plugin has nothing to check for this pod (its filter/score is
 * not called); { reject }: no node can pass, with the reason; { candidates }:
 * no node outside this list can pass its filter — a shortcut for constraints
 * that rule out most of a big cluster (every filter still runs on the
 * candidates; if none passes, all nodes are filtered to report exact reasons);
 * void: go on.
 */
export type PreResult = void | "skip" | { reject: string } | { candidates: readonly NodeInfo[] };

export interface Plugin {
  name: string;
  preFilter?(pod: PodInfo, snap: Snapshot, state: CycleState): PreResult;
  filter?(pod: PodInfo, node: NodeInfo, snap: Snapshot, state: CycleState): FilterResult;
  preScore?(pod: PodInfo, nodes: readonly NodeInfo[], snap: Snapshot, state: CycleState): void | "skip";
  /** Raw score for one feasible node; `normalize` (or the plugin itself) maps scores to 0..100. */
  score?(pod: PodInfo, node: NodeInfo, snap: Snapshot, state: CycleState): number;
  normalize?(scores: Float64Array, state: CycleState): void;
  /** Multiplier of this plugin's 0..100 score (default 1). */
  weight?: number;
}

export const MAX_NODE_SCORE = 100;
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE = 5;

/**
 * How many feasible nodes to look for before scoring, as Kubernetes'
 * percentageOfNodesToScore: all below 100 nodes; adaptively 50% shrinking
 * with cluster size (10% at 5,000 nodes, never under 5%), at least 100.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) pct = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE, 50 - Math.floor(numAllNodes / 125));
  const n = Math.floor((numAllNodes * pct) / 100);
  return Math.max(n, MIN_FEASIBLE_NODES_TO_FIND);
}

export type ScheduleResult =
  | { node: string; feasible: number }
  | { node?: undefined; numAllNodes: number; reasons: Map<string, number> };

export interface FrameworkOptions {
  percentageOfNodesToScore?: number;
  /** Uniform [0, 1); injected for deterministic tests. */
  random?: () => number;
}

/** One profile's plugins plus the round-robin start that spreads filtering across the node list. */
export class Framework {
  private nextStart = 0;
  private readonly filters: Plugin[];
  private readonly scorers: Plugin[];
  private readonly random: () => number;

  constructor(
    readonly plugins: Plugin[],
    private readonly opts: FrameworkOptions = {},
  ) {
    this.filters = plugins.filter((p) => p.filter || p.preFilter);
    this.scorers = plugins.filter((p) => p.score);
    this.random = opts.random ?? Math.random;
  }

  schedule(pod: PodInfo, snap: Snapshot): ScheduleResult {
    const nodes = snap.nodes();
    const state = new CycleState();
    const reasons = new Map<string, number>();
    if (nodes.length === 0) return { numAllNodes: 0, reasons };

    const active: Plugin[] = [];
    let narrowest: readonly NodeInfo[] | undefined;
    for (const p of this.filters) {
      const r = p.preFilter?.(pod, snap, state);
      if (r === "skip") continue;
      if (r && "reject" in r) {
        reasons.set(r.reject, nodes.length);
        return { numAllNodes: nodes.length, reasons };
      }
      if (r && (!narrowest || r.candidates.length < narrowest.length)) narrowest = r.candidates;
      if (p.filter) active.push(p);
    }

    let feasible = narrowest ? this.findFeasible(pod, narrowest, snap, state, active, reasons, false) : [];
    if (feasible.length === 0) {
      reasons.clear();
      feasible = this.findFeasible(pod, nodes, snap, state, active, reasons, true);
    }
    if (feasible.length === 0) return { numAllNodes: nodes.length, reasons };
    if (feasible.length === 1) return { node: feasible[0].name, feasible: 1 };
    return { node: this.pickBest(pod, feasible, snap, state), feasible: feasible.length };
  }

  /** Filter round-robin until enough feasible nodes; `rotate`: continue where the last pod stopped. */
  private findFeasible(pod: PodInfo, nodes: readonly NodeInfo[], snap: Snapshot, state: CycleState, active: Plugin[], reasons: Map<string, number>, rotate: boolean): NodeInfo[] {
    const want = numFeasibleNodesToFind(snap.nodes().length, this.opts.percentageOfNodesToScore);
    const feasible: NodeInfo[] = [];
    const n = nodes.length;
    if (n === 0) return feasible;
    const start = this.nextStart % n;
    const tally = new ReasonTally();
    let processed = 0;
    for (; processed < n && feasible.length < want; processed++) {
      const ni = nodes[(start + processed) % n];
      const failure = runFilters(pod, ni, snap, state, active);
      if (failure === undefined) feasible.push(ni);
      // Reasons are only reported when no node fits: stop counting once one does.
      else if (feasible.length > 0) continue;
      else if (typeof failure === "string") tally.add(failure);
      else for (const r of failure) tally.add(r);
    }
    if (rotate) this.nextStart = (start + processed) % n;
    tally.into(reasons);
    return feasible;
  }

  private pickBest(pod: PodInfo, feasible: NodeInfo[], snap: Snapshot, state: CycleState): string {
    const total = new Float64Array(feasible.length);
    const scores = new Float64Array(feasible.length);
    for (const p of this.scorers) {
      if (p.preScore?.(pod, feasible, snap, state) === "skip") continue;
      for (let i = 0; i < feasible.length; i++) scores[i] = p.score!(pod, feasible[i], snap, state);
      p.normalize?.(scores, state);
      const w = p.weight ?? 1;
      for (let i = 0; i < feasible.length; i++) total[i] += w * scores[i];
    }
    return feasible[pickMax(total, this.random)].name;
  }
}

/**
 * Counts failure reasons. Reasons are a handful of constant strings, so a short
 * list compared by identity first beats a Map in the per-node loop.
 */
class ReasonTally {
  private readonly reasons: string[] = [];
  private readonly counts: number[] = [];
  add(reason: string): void {
    const i = this.reasons.indexOf(reason);
    if (i >= 0) this.counts[i]++;
    else {
      this.reasons.push(reason);
      this.counts.push(1);
    }
  }
  into(m: Map<string, number>): void {
    this.reasons.forEach((r, i) => m.set(r, (m.get(r) ?? 0) + this.counts[i]));
  }
}

function runFilters(pod: PodInfo, ni: NodeInfo, snap: Snapshot, state: CycleState, active: Plugin[]): FilterResult {
  for (const p of active) {
    const r = p.filter!(pod, ni, snap, state);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** Index of the highest score; among equal ones, each is equally likely (reservoir sampling). */
export function pickMax(scores: Float64Array, random: () => number): number {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < scores.length; i++) {
    if (scores[i] > scores[best]) {
      best = i;
      ties = 1;
    } else if (scores[i] === scores[best]) {
      ties++;
      if (random() * ties < 1) best = i;
    }
  }
  return best;
}

// ---- normalizers shared by score plugins -----------------------------------

/** Scale so the highest score becomes 100 (scores are ≥ 0); optionally reversed (lower raw is better). */
export function normalizeByMax(scores: Float64Array, reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  for (let i = 0; i < scores.length; i++) {
    if (max === 0) scores[i] = reverse ? MAX_NODE_SCORE : 0;
    else scores[i] = reverse ? MAX_NODE_SCORE - (scores[i] * MAX_NODE_SCORE) / max : (scores[i] * MAX_NODE_SCORE) / max;
  }
}

/** Map [min, max] onto [0, 100] (or [100, 0] reversed); all-equal scores become 0 (100 reversed), changing no ranking. */
export function normalizeMinMax(scores: Float64Array, reverse: boolean): void {
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (s < min) min = s;
    if (s > max) max = s;
  }
  const span = max - min;
  for (let i = 0; i < scores.length; i++) {
    const f = span === 0 ? 0 : (scores[i] - min) / span;
    scores[i] = MAX_NODE_SCORE * (reverse ? 1 - f : f);
  }
}
