// NodePorts: two pods cannot take the same host port and protocol on one node
// (0.0.0.0 conflicts with every address).
import type { Plugin } from "../framework.ts";
import type { HostPort } from "../pod-info.ts";

export const ERR_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";

export function portsConflict(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.ip === b.ip || a.ip === "0.0.0.0" || b.ip === "0.0.0.0";
}

export const NodePorts: Plugin = {
  name: "NodePorts",
  preFilter: (pod) => (pod.hostPorts.length ? undefined : "skip"),
  filter(pod, node) {
    for (const want of pod.hostPorts) {
      if (node.usedPorts.some((used) => portsConflict(want, used))) return ERR_NODE_PORTS;
    }
    return undefined;
  },
};
