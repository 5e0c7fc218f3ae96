// NodeInfo: one node as the scheduler sees it — what it offers (allocatable,
// labels, taints) and running totals of what its bound and assumed pods take,
// kept incrementally so a filter is a few comparisons, not a walk over pods.
import { getCondition } from "../api/meta.ts";
import type { Node, Taint } from "../api/types.ts";
import type { HostPort, PodInfo } from "./pod-info.ts";
import { addInto, emptyResources, parseResourceList, type Resources } from "./resources.ts";

export const DEFAULT_MAX_PODS = 110;
export const TAINT_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
export const TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";

/**
 * The node's taints plus the ones Kubernetes' node lifecycle controller would
 * put on it for its Ready condition (False: not-ready, Unknown: unreachable),
 * so readiness needs no separate rule and pods that tolerate these taints
 * (DaemonSet pods) still land on the node.
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const ready = getCondition(node.status?.conditions, "Ready");
  const implied = ready?.status === "False" ? TAINT_NOT_READY : ready?.status === "Unknown" ? TAINT_UNREACHABLE : undefined;
  if (implied && !taints.some((t) => t.key === implied && t.effect === "NoSchedule")) {
    taints.push({ key: implied, effect: "NoSchedule" });
  }
  return taints;
}

function allocatableOf(node: Node): Resources & { pods: number } {
  const list = node.status?.allocatable ?? node.status?.capacity;
  const r = parseResourceList(list, "pods");
  const pods = Number(list?.pods ?? DEFAULT_MAX_PODS);
  return { ...r, pods: Number.isFinite(pods) ? pods : DEFAULT_MAX_PODS };
}

export class NodeInfo {
  node?: Node;
  labels: Record<string, string> = {};
  taints: Taint[] = [];
  unschedulable = false;
  allocatable: Resources & { pods: number } = { ...emptyResources(), pods: 0 };
  readonly requested: Resources = emptyResources();
  readonly nonZeroRequested = { milliCpu: 0, memory: 0 };
  readonly pods = new Map<string, PodInfo>();
  readonly usedPorts: (HostPort & { podKey: string })[] = [];

  constructor(readonly name: string) {}

  /** Takes the node's new spec/status; returns whether its labels changed. */
  setNode(node: Node): boolean {
    const labels = node.metadata.labels ?? {};
    const labelsChanged = !sameLabels(this.labels, labels);
    this.node = node;
    this.labels = labels;
    this.taints = effectiveTaints(node);
    this.unschedulable = !!node.spec?.unschedulable;
    this.allocatable = allocatableOf(node);
    return labelsChanged;
  }

  addPod(p: PodInfo): void {
    this.pods.set(p.key, p);
    addInto(this.requested, p.requests);
    this.nonZeroRequested.milliCpu += p.nonZero.milliCpu;
    this.nonZeroRequested.memory += p.nonZero.memory;
    for (const hp of p.hostPorts) this.usedPorts.push({ ...hp, podKey: p.key });
  }

  removePod(p: PodInfo): void {
    if (!this.pods.delete(p.key)) return;
    addInto(this.requested, p.requests, -1);
    this.nonZeroRequested.milliCpu -= p.nonZero.milliCpu;
    this.nonZeroRequested.memory -= p.nonZero.memory;
    for (let i = this.usedPorts.length - 1; i >= 0; i--) if (this.usedPorts[i].podKey === p.key) this.usedPorts.splice(i, 1);
  }
}

export function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((k) => a[k] === b[k]);
}
