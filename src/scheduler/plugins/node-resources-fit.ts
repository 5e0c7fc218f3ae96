// NodeResourcesFit: the pod's requests must fit in what the node's allocatable
// leaves after every bound and assumed pod (and the pod count in `pods`).
// Its score prefers the least allocated nodes, which spreads load.
import type { Plugin } from "../framework.ts";
import type { NodeInfo } from "../node-info.ts";
import type { PodInfo } from "../pod-info.ts";
import { MAX_NODE_SCORE } from "../framework.ts";

export const ERR_TOO_MANY_PODS = "Too many pods";
export const insufficient = (resource: string) => `Insufficient ${resource}`;

/** Every reason the pod does not fit, in Kubernetes' order; empty when it fits. */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const out: string[] = [];
  const alloc = node.allocatable;
  const used = node.requested;
  const req = pod.requests;
  if (node.pods.size + 1 > alloc.pods) out.push(ERR_TOO_MANY_PODS);
  if (req.milliCpu > 0 && used.milliCpu + req.milliCpu > alloc.milliCpu) out.push(insufficient("cpu"));
  if (req.memory > 0 && used.memory + req.memory > alloc.memory) out.push(insufficient("memory"));
  if (req.scalar) {
    for (const [name, v] of req.scalar) {
      if (v > 0 && (used.scalar?.get(name) ?? 0) + v > (alloc.scalar?.get(name) ?? 0)) out.push(insufficient(name));
    }
  }
  return out;
}

// The common case without allocating a reasons array (this runs per node per pod).
function fitsQuickly(pod: PodInfo, node: NodeInfo): boolean {
  const alloc = node.allocatable;
  const req = pod.requests;
  return !req.scalar && node.pods.size < alloc.pods && node.requested.milliCpu + req.milliCpu <= alloc.milliCpu && node.requested.memory + req.memory <= alloc.memory;
}

function leastAllocated(requested: number, capacity: number): number {
  if (capacity <= 0 || requested > capacity) return 0;
  return ((capacity - requested) * MAX_NODE_SCORE) / capacity;
}

export const NodeResourcesFit: Plugin = {
  name: "NodeResourcesFit",
  filter(pod, node) {
    if (fitsQuickly(pod, node)) return undefined;
    const r = insufficientResources(pod, node);
    return r.length === 0 ? undefined : r;
  },
  score(pod, node) {
    const cpu = leastAllocated(node.nonZeroRequested.milliCpu + pod.nonZero.milliCpu, node.allocatable.milliCpu);
    const mem = leastAllocated(node.nonZeroRequested.memory + pod.nonZero.memory, node.allocatable.memory);
    return (cpu + mem) / 2;
  },
};
