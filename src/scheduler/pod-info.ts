// PodInfo: everything the scheduler reads from a pod, computed once when the
// pod enters the cache or the queue, so plugins never re-parse quantities or
// re-compile selectors in the per-node hot path.
import { controllerOf } from "../api/meta.ts";
import { labelSelectorFromObject, matches, nothing, type LabelSelectorMatcher } from "../api/selectors.ts";
import type { LabelSelector, Pod, PodAffinityTerm, Toleration, TopologySpreadConstraint } from "../api/types.ts";
import { DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, podRequests, type Resources } from "./resources.ts";

export interface HostPort {
  protocol: string;
  ip: string;
  port: number;
}

/** A compiled pod (anti-)affinity term or spread constraint selector. */
export interface PodSelectorTerm {
  /** Namespaces whose pods the term considers; null: all namespaces. */
  namespaces: ReadonlySet<string> | null;
  /** null: the term matches no pod (a term without labelSelector). */
  selector: LabelSelectorMatcher | null;
  topologyKey: string;
  /** Identical terms share one signature, hence one index in the cache. */
  signature: string;
}

export interface WeightedTerm extends PodSelectorTerm {
  weight: number;
}

export interface SpreadConstraint extends PodSelectorTerm {
  maxSkew: number;
  minDomains: number;
  hard: boolean;
}

export interface PodInfo {
  key: string;
  pod: Pod;
  namespace: string;
  labels: Record<string, string>;
  priority: number;
  requests: Resources;
  /** Requests with Kubernetes' defaults for absent cpu/memory, used by scoring. */
  nonZero: { milliCpu: number; memory: number };
  hostPorts: HostPort[];
  tolerations: Toleration[];
  ownerUid?: string;
  requiredAffinity: PodSelectorTerm[];
  requiredAntiAffinity: PodSelectorTerm[];
  preferredAffinity: WeightedTerm[];
  preferredAntiAffinity: WeightedTerm[];
  spread: SpreadConstraint[];
}

export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? "default"}/${pod.metadata.name ?? ""}`;
}

// Many pods share a few selectors (one per Deployment): compile each once.
const compiled = new Map<string, LabelSelectorMatcher>();
const COMPILED_CAP = 10_000;

export function compileSelector(sel: LabelSelector | undefined): { matcher: LabelSelectorMatcher | null; text: string } {
  if (!sel) return { matcher: null, text: "null" };
  const text = JSON.stringify(sel);
  let matcher = compiled.get(text);
  if (!matcher) {
    if (compiled.size >= COMPILED_CAP) compiled.clear();
    // Admission validates selectors; one that still fails to compile selects nothing.
    try {
      matcher = labelSelectorFromObject(sel);
    } catch {
      matcher = nothing;
    }
    compiled.set(text, matcher);
  }
  return { matcher, text };
}

export function makeTerm(namespaces: string[] | null, sel: LabelSelector | undefined, topologyKey: string): PodSelectorTerm {
  const { matcher, text } = compileSelector(sel);
  const ns = namespaces ? [...new Set(namespaces)].sort() : null;
  return {
    namespaces: ns ? new Set(ns) : null,
    selector: matcher,
    topologyKey,
    signature: `${ns ? ns.join(",") : "*"}|${text}|${topologyKey}`,
  };
}

/** Does `pod` fall under `term` (its namespace and labels)? */
export function termMatches(term: PodSelectorTerm, namespace: string, labels: Record<string, string>): boolean {
  if (!term.selector) return false;
  if (term.namespaces && !term.namespaces.has(namespace)) return false;
  return matches(term.selector, labels);
}

// A namespaceSelector needs namespace labels, which the scheduler does not
// watch: an empty one means every namespace, a non-empty one adds none.
function affinityTerm(t: PodAffinityTerm, podNamespace: string): PodSelectorTerm {
  const selectsAll = t.namespaceSelector && Object.keys(t.namespaceSelector.matchLabels ?? {}).length === 0 && (t.namespaceSelector.matchExpressions ?? []).length === 0;
  const namespaces = selectsAll ? null : t.namespaces?.length ? t.namespaces : [podNamespace];
  return makeTerm(namespaces, t.labelSelector, t.topologyKey);
}

function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ protocol: p.protocol ?? "TCP", ip: p.hostIP || "0.0.0.0", port: p.hostPort });
    }
  }
  return out;
}

export function newPodInfo(pod: Pod): PodInfo {
  const namespace = pod.metadata.namespace ?? "default";
  const spec = pod.spec;
  const requests = podRequests(spec.containers ?? [], spec.initContainers);
  const aff = spec.affinity?.podAffinity;
  const anti = spec.affinity?.podAntiAffinity;
  const owner = controllerOf(pod);
  return {
    key: podKey(pod),
    pod,
    namespace,
    labels: pod.metadata.labels ?? {},
    priority: spec.priority ?? 0,
    requests,
    nonZero: {
      milliCpu: requests.milliCpu || DEFAULT_MILLI_CPU_REQUEST,
      memory: requests.memory || DEFAULT_MEMORY_REQUEST,
    },
    hostPorts: hostPortsOf(pod),
    tolerations: spec.tolerations ?? [],
    ownerUid: owner?.uid,
    requiredAffinity: (aff?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(t, namespace)),
    requiredAntiAffinity: (anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(t, namespace)),
    preferredAffinity: (aff?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...affinityTerm(w.podAffinityTerm, namespace), weight: w.weight })),
    preferredAntiAffinity: (anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...affinityTerm(w.podAffinityTerm, namespace), weight: w.weight })),
    spread: (spec.topologySpreadConstraints ?? []).map((c) => spreadConstraint(c, namespace)),
  };
}

function spreadConstraint(c: TopologySpreadConstraint, namespace: string): SpreadConstraint {
  return {
    ...makeTerm([namespace], c.labelSelector, c.topologyKey),
    maxSkew: c.maxSkew,
    minDomains: c.minDomains ?? 1,
    hard: c.whenUnsatisfiable !== "ScheduleAnyway",
  };
}

/** Does the pod want node-level placement constraints (nodeSelector or required node affinity)? */
export function hasNodeConstraints(pod: Pod): boolean {
  return !!pod.spec.nodeSelector || !!pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
}
