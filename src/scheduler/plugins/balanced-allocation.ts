// NodeResourcesBalancedAllocation: prefer nodes where cpu and memory would be
// used in equal proportion, so neither is stranded.
import { MAX_NODE_SCORE, type Plugin } from "../framework.ts";

function fraction(requested: number, capacity: number): number {
  return capacity <= 0 ? 1 : Math.min(1, requested / capacity);
}

export const NodeResourcesBalancedAllocation: Plugin = {
  name: "NodeResourcesBalancedAllocation",
  score(pod, node) {
    const cpu = fraction(node.nonZeroRequested.milliCpu + pod.nonZero.milliCpu, node.allocatable.milliCpu);
    const mem = fraction(node.nonZeroRequested.memory + pod.nonZero.memory, node.allocatable.memory);
    const std = Math.abs(cpu - mem) / 2;
    return (1 - std) * MAX_NODE_SCORE;
  },
};
