// The FailedScheduling message, in the shape Kubernetes users know:
// "0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {k: v}."
// Reasons are listed most frequent first (ties alphabetically); a node that
// fails for several reasons (cpu and memory) counts under each.

export const NO_NODES_MESSAGE = "no nodes available to schedule pods";

export function fitErrorMessage(numAllNodes: number, reasons: ReadonlyMap<string, number>): string {
  if (numAllNodes === 0) return NO_NODES_MESSAGE;
  const head = `0/${numAllNodes} nodes are available`;
  if (reasons.size === 0) return `${head}.`;
  const parts = [...reasons.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([reason, n]) => `${n} ${reason}`);
  return `${head}: ${parts.join(", ")}.`;
}
