// core/v1 Node: the registry entry.
import { getCondition } from "../meta.ts";
import type { ResourceType } from "../resource-type.ts";
import type { Node } from "../types.ts";
import { ageColumn, orNone } from "./columns.ts";
import { defaultNode, validateNode } from "./node-admission.ts";
import { admission } from "./admission.ts";

/** "Ready", "NotReady", "Unknown", with ",SchedulingDisabled" when cordoned. */
export function nodeStatus(node: Node): string {
  const ready = getCondition(node.status?.conditions, "Ready");
  let status = ready?.status === "True" ? "Ready" : ready?.status === "False" ? "NotReady" : "Unknown";
  if (node.spec?.unschedulable) status += ",SchedulingDisabled";
  return status;
}

/** Roles from node-role.kubernetes.io/<role> labels (and the legacy kubernetes.io/role). */
export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith("node-role.kubernetes.io/")) {
      const role = key.slice("node-role.kubernetes.io/".length);
      if (role) roles.add(role);
    } else if (key === "kubernetes.io/role" && value) {
      roles.add(value);
    }
  }
  return roles.size ? [...roles].sort().join(",") : "<none>";
}

function address(node: Node, type: string): string {
  return orNone(node.status?.addresses?.find((a) => a.type === type)?.address);
}

export const Nodes: ResourceType<Node> = {
  group: "",
  version: "v1",
  kind: "Node",
  plural: "nodes",
  singular: "node",
  shortNames: ["no"],
  namespaced: false,
  subresources: ["status"],
  statusSubresource: true,
  ...admission("Node", defaultNode, validateNode),
  selectableFields: {
    "spec.unschedulable": (n) => String(n.spec?.unschedulable ?? false),
  },
  columns: [
    { name: "STATUS", value: nodeStatus },
    { name: "ROLES", value: nodeRoles },
    ageColumn(),
    { name: "VERSION", value: (n) => n.status?.nodeInfo?.kubeletVersion ?? "" },
    { name: "INTERNAL-IP", priority: 1, value: (n) => address(n, "InternalIP") },
    { name: "EXTERNAL-IP", priority: 1, value: (n) => address(n, "ExternalIP") },
    { name: "OS-IMAGE", priority: 1, value: (n) => orNone(n.status?.nodeInfo?.osImage) },
    { name: "KERNEL-VERSION", priority: 1, value: (n) => orNone(n.status?.nodeInfo?.kernelVersion) },
    { name: "CONTAINER-RUNTIME", priority: 1, value: (n) => orNone(n.status?.nodeInfo?.containerRuntimeVersion) },
  ],
};
