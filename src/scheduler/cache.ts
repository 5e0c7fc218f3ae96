// The scheduler's cache: nodes, and the pods bound or *assumed* on them, with
// the aggregates plugins need kept up to date on every change — per-node
// resource totals (NodeInfo), counts of pods matching a selector per topology
// domain (for spread and affinity), the (anti-)affinity terms that placed pods
// impose on newcomers, and pods per owner. Scheduling is synchronous off this
// cache, so it doubles as the snapshot plugins read.
import type { Node, Pod } from "../api/types.ts";
import { fileKeys, LabelDispatch } from "./label-dispatch.ts";
import { NodeInfo, sameLabels } from "./node-info.ts";
import { newPodInfo, podKey, termMatches, type PodInfo, type PodSelectorTerm } from "./pod-info.ts";

export const ZONE_LABEL = "topology.kubernetes.io/zone";
/** An assumed pod whose bind succeeded but whose update never arrived is dropped after this. */
export const ASSUMED_TTL_MS = 30_000;
const MAX_INDEXES = 512;

/** Pods matching one term, counted per node and per value of the term's topology key. */
export interface PodCountIndex {
  readonly term: PodSelectorTerm;
  readonly byDomain: Map<string, number>;
  readonly byNode: Map<string, number>;
  /** Every domain (node label value) by its count, zero included; built on first use (see domainsByCount). */
  byCount?: Map<number, Set<string>>;
  total: number;
  lastUsed: number;
}

export type ExistingTermKind = "requiredAntiAffinity" | "preferredAffinity" | "preferredAntiAffinity";

/** Placed pods carrying the same (anti-)affinity term, counted per topology domain. */
export interface ExistingTermGroup {
  readonly kind: ExistingTermKind;
  readonly term: PodSelectorTerm;
  readonly weight: number;
  readonly byDomain: Map<string, number>;
  pods: number;
}

export interface OwnerCounts {
  readonly byNode: Map<string, number>;
  readonly byZone: Map<string, number>;
}

/** What plugins may read. */
export interface Snapshot {
  nodes(): readonly NodeInfo[];
  node(name: string): NodeInfo | undefined;
  /** Counts of placed pods matching `term`, built on first use and kept current after. */
  podCounts(term: PodSelectorTerm): PodCountIndex;
  /** The index's domains bucketed by count (zero included): the least populated ones without a walk. */
  domainsByCount(idx: PodCountIndex): ReadonlyMap<number, ReadonlySet<string>>;
  /** With `labels`: only the groups whose term could select a pod with those labels (still check termMatches). */
  existingTermGroups(labels?: Record<string, string>): Iterable<ExistingTermGroup>;
  ownerCounts(uid: string): OwnerCounts | undefined;
  /** Values of a node label across nodes, with how many nodes carry each. */
  domains(topologyKey: string): ReadonlyMap<string, number>;
  /** The nodes whose `topologyKey` label is `value`. */
  nodesIn(topologyKey: string, value: string): readonly NodeInfo[];
}

interface CachedPod {
  info: PodInfo;
  nodeName: string;
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const v = (map.get(key) ?? 0) + by;
  if (v <= 0) map.delete(key);
  else map.set(key, v);
}

function moveBetweenCounts(byCount: Map<number, Set<string>>, domain: string, from: number, to: number): void {
  const old = byCount.get(from);
  if (old) {
    old.delete(domain);
    if (old.size === 0) byCount.delete(from);
  }
  let next = byCount.get(to);
  if (!next) byCount.set(to, (next = new Set()));
  next.add(domain);
}

export class SchedulerCache implements Snapshot {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  private nodeList: NodeInfo[] | null = null;
  private readonly pods = new Map<string, CachedPod>();
  /** key\0value → placed pods with that label: index builds visit only pods that can match. */
  private readonly podsByLabel = new Map<string, Set<CachedPod>>();
  /** key → expiry (ms epoch) once the bind returned; Infinity while it is in flight. */
  private readonly assumed = new Map<string, number>();
  private readonly indexes = new Map<string, PodCountIndex>();
  private readonly indexDispatch = new LabelDispatch<PodCountIndex>();
  private readonly groups = new Map<string, ExistingTermGroup>();
  private readonly groupDispatch = new LabelDispatch<ExistingTermGroup>();
  private readonly owners = new Map<string, OwnerCounts>();
  private readonly domainCache = new Map<string, Map<string, number>>();
  private readonly domainNodeCache = new Map<string, Map<string, NodeInfo[]>>();
  private tick = 0;

  // ---- Snapshot ----------------------------------------------------------

  nodes(): readonly NodeInfo[] {
    this.nodeList ??= [...this.nodeInfos.values()].filter((n) => n.node);
    return this.nodeList;
  }

  node(name: string): NodeInfo | undefined {
    const ni = this.nodeInfos.get(name);
    return ni?.node ? ni : undefined;
  }

  podCounts(term: PodSelectorTerm): PodCountIndex {
    let idx = this.indexes.get(term.signature);
    if (!idx) {
      if (this.indexes.size >= MAX_INDEXES) this.evictIndexes();
      idx = { term, byDomain: new Map(), byNode: new Map(), total: 0, lastUsed: 0 };
      for (const { info, nodeName } of this.podsMaybeMatching(term)) {
        const ni = this.node(nodeName);
        if (ni) this.countInIndex(idx, info, ni, 1);
      }
      this.indexes.set(term.signature, idx);
      this.indexDispatch.add(term, idx);
    }
    idx.lastUsed = ++this.tick;
    return idx;
  }

  private *podsMaybeMatching(term: PodSelectorTerm): Iterable<CachedPod> {
    const keys = fileKeys(term);
    if (!keys) {
      yield* this.pods.values();
      return;
    }
    for (const k of keys) {
      const set = this.podsByLabel.get(k);
      if (set) yield* set;
    }
  }

  domainsByCount(idx: PodCountIndex): ReadonlyMap<number, ReadonlySet<string>> {
    if (idx.byCount) return idx.byCount;
    const byCount = new Map<number, Set<string>>();
    for (const d of this.domains(idx.term.topologyKey).keys()) {
      const n = idx.byDomain.get(d) ?? 0;
      let set = byCount.get(n);
      if (!set) byCount.set(n, (set = new Set()));
      set.add(d);
    }
    idx.byCount = byCount;
    return byCount;
  }

  existingTermGroups(labels?: Record<string, string>): Iterable<ExistingTermGroup> {
    if (!labels) return this.groups.values();
    const out: ExistingTermGroup[] = [];
    this.groupDispatch.forCandidates(labels, (g) => out.push(g));
    return out;
  }

  ownerCounts(uid: string): OwnerCounts | undefined {
    return this.owners.get(uid);
  }

  domains(topologyKey: string): ReadonlyMap<string, number> {
    let d = this.domainCache.get(topologyKey);
    if (!d) {
      d = new Map();
      for (const ni of this.nodes()) {
        const v = ni.labels[topologyKey];
        if (v !== undefined) bump(d, v, 1);
      }
      this.domainCache.set(topologyKey, d);
    }
    return d;
  }

  nodesIn(topologyKey: string, value: string): readonly NodeInfo[] {
    let byValue = this.domainNodeCache.get(topologyKey);
    if (!byValue) {
      byValue = new Map();
      for (const ni of this.nodes()) {
        const v = ni.labels[topologyKey];
        if (v === undefined) continue;
        let list = byValue.get(v);
        if (!list) byValue.set(v, (list = []));
        list.push(ni);
      }
      this.domainNodeCache.set(topologyKey, byValue);
    }
    return byValue.get(value) ?? [];
  }

  // ---- nodes -------------------------------------------------------------

  upsertNode(node: Node): void {
    const name = node.metadata.name ?? "";
    let ni = this.nodeInfos.get(name);
    if (!ni) {
      ni = new NodeInfo(name);
      this.nodeInfos.set(name, ni);
    }
    const relabel = !ni.node || !sameLabels(ni.labels, node.metadata.labels ?? {});
    if (relabel && ni.node) this.contributeNode(ni, -1);
    ni.setNode(node);
    if (relabel) {
      this.contributeNode(ni, 1);
      this.domainsChanged();
    }
  }

  removeNode(name: string): void {
    const ni = this.nodeInfos.get(name);
    if (!ni?.node) return;
    this.contributeNode(ni, -1);
    ni.node = undefined;
    // Pods still bound to a deleted node stay in the cache (they are deleted
    // shortly, or the node comes back), but no longer count anywhere.
    if (ni.pods.size === 0) this.nodeInfos.delete(name);
    this.domainsChanged();
  }

  /** The set of nodes or their labels changed: drop what is derived from them (rebuilt on use). */
  private domainsChanged(): void {
    this.nodeList = null;
    this.domainCache.clear();
    this.domainNodeCache.clear();
    this.indexes.clear();
    this.indexDispatch.clear();
  }

  // ---- pods --------------------------------------------------------------

  /** A pod the API says is bound (spec.nodeName set): add, update, or confirm an assumed one. */
  upsertPod(pod: Pod): void {
    const key = podKey(pod);
    const cached = this.pods.get(key);
    // The confirmation of our own bind (or a status update): what the scheduler
    // counts — requests, ports, terms — cannot change on a bound pod, only labels.
    if (cached && cached.nodeName === pod.spec.nodeName && sameLabels(cached.info.labels, pod.metadata.labels ?? {})) {
      this.assumed.delete(key);
      cached.info.pod = pod;
      return;
    }
    this.assumed.delete(key);
    this.place(newPodInfo(pod), pod.spec.nodeName ?? "");
  }

  removePod(key: string): void {
    this.assumed.delete(key);
    this.unplace(key);
  }

  /** Count `info` on `nodeName` before its bind returns, so the next decision sees it. */
  assume(info: PodInfo, nodeName: string): void {
    this.assumed.set(info.key, Infinity);
    this.place(info, nodeName);
  }

  finishBinding(key: string, now = Date.now()): void {
    if (this.assumed.has(key)) this.assumed.set(key, now + ASSUMED_TTL_MS);
  }

  /** Undo an assume (the bind failed). */
  forget(key: string): void {
    if (!this.assumed.delete(key)) return;
    this.unplace(key);
  }

  isAssumed(key: string): boolean {
    return this.assumed.has(key);
  }

  has(key: string): boolean {
    return this.pods.has(key);
  }

  nodeOf(key: string): string | undefined {
    return this.pods.get(key)?.nodeName;
  }

  expireAssumed(now = Date.now()): string[] {
    const expired: string[] = [];
    for (const [key, deadline] of this.assumed) if (deadline <= now) expired.push(key);
    for (const key of expired) this.removePod(key);
    return expired;
  }

  podCount(): number {
    return this.pods.size;
  }

  private place(info: PodInfo, nodeName: string): void {
    this.unplace(info.key);
    let ni = this.nodeInfos.get(nodeName);
    if (!ni) {
      ni = new NodeInfo(nodeName);
      this.nodeInfos.set(nodeName, ni);
    }
    const cached = { info, nodeName };
    this.pods.set(info.key, cached);
    for (const k in info.labels) {
      const lk = LabelDispatch.labelKey(k, info.labels[k]);
      let set = this.podsByLabel.get(lk);
      if (!set) this.podsByLabel.set(lk, (set = new Set()));
      set.add(cached);
    }
    ni.addPod(info);
    if (ni.node) this.contribute(info, ni, 1);
  }

  private unplace(key: string): void {
    const cached = this.pods.get(key);
    if (!cached) return;
    this.pods.delete(key);
    for (const k in cached.info.labels) {
      const lk = LabelDispatch.labelKey(k, cached.info.labels[k]);
      const set = this.podsByLabel.get(lk);
      if (!set) continue;
      set.delete(cached);
      if (set.size === 0) this.podsByLabel.delete(lk);
    }
    const ni = this.nodeInfos.get(cached.nodeName);
    if (!ni) return;
    if (ni.node) this.contribute(cached.info, ni, -1);
    ni.removePod(cached.info);
    if (!ni.node && ni.pods.size === 0) this.nodeInfos.delete(ni.name);
  }

  // ---- aggregates ----------------------------------------------------------

  private contributeNode(ni: NodeInfo, sign: number): void {
    for (const info of ni.pods.values()) this.contribute(info, ni, sign);
  }

  /** Add (sign 1) or remove (-1) one placed pod from every aggregate. */
  private contribute(info: PodInfo, ni: NodeInfo, sign: number): void {
    this.indexDispatch.forCandidates(info.labels, (idx) => this.countInIndex(idx, info, ni, sign));
    for (const t of info.requiredAntiAffinity) this.countInGroup("requiredAntiAffinity", t, 0, ni, sign);
    for (const t of info.preferredAffinity) this.countInGroup("preferredAffinity", t, t.weight, ni, sign);
    for (const t of info.preferredAntiAffinity) this.countInGroup("preferredAntiAffinity", t, t.weight, ni, sign);
    if (info.ownerUid) this.countOwner(info.ownerUid, ni, sign);
  }

  private countInIndex(idx: PodCountIndex, info: PodInfo, ni: NodeInfo, sign: number): void {
    if (!termMatches(idx.term, info.namespace, info.labels)) return;
    idx.total += sign;
    bump(idx.byNode, ni.name, sign);
    const domain = ni.labels[idx.term.topologyKey];
    if (domain === undefined) return;
    const before = idx.byDomain.get(domain) ?? 0;
    bump(idx.byDomain, domain, sign);
    if (idx.byCount) moveBetweenCounts(idx.byCount, domain, before, before + sign);
  }

  private countInGroup(kind: ExistingTermKind, term: PodSelectorTerm, weight: number, ni: NodeInfo, sign: number): void {
    const key = `${kind}|${weight}|${term.signature}`;
    let g = this.groups.get(key);
    if (!g) {
      if (sign < 0) return;
      g = { kind, term, weight, byDomain: new Map(), pods: 0 };
      this.groups.set(key, g);
      this.groupDispatch.add(term, g);
    }
    g.pods += sign;
    const domain = ni.labels[term.topologyKey];
    if (domain !== undefined) bump(g.byDomain, domain, sign);
    if (g.pods > 0) return;
    this.groups.delete(key);
    this.groupDispatch.delete(term, g);
  }

  private countOwner(uid: string, ni: NodeInfo, sign: number): void {
    let o = this.owners.get(uid);
    if (!o) {
      if (sign < 0) return;
      o = { byNode: new Map(), byZone: new Map() };
      this.owners.set(uid, o);
    }
    bump(o.byNode, ni.name, sign);
    const zone = ni.labels[ZONE_LABEL];
    if (zone !== undefined) bump(o.byZone, zone, sign);
    if (o.byNode.size === 0) this.owners.delete(uid);
  }

  private evictIndexes(): void {
    const byAge = [...this.indexes.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [sig, idx] of byAge.slice(0, byAge.length / 2)) {
      this.indexes.delete(sig);
      this.indexDispatch.delete(idx.term, idx);
    }
  }
}
