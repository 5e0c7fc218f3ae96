// NodeName: a pod that names its node fits only there.
import type { Plugin } from "../framework.ts";

export const ERR_NODE_NAME = "node(s) didn't match the requested node name";

export const NodeName: Plugin = {
  name: "NodeName",
  preFilter: (pod) => (pod.pod.spec.nodeName ? undefined : "skip"),
  filter: (pod, node) => (node.name === pod.pod.spec.nodeName ? undefined : ERR_NODE_NAME),
};
