// The default plugin set, in Kubernetes' order: cheap node-local filters
// first, so the first failing one names the reason users see.
import type { Plugin } from "../framework.ts";
import { NodeResourcesBalancedAllocation } from "./balanced-allocation.ts";
import { InterPodAffinity } from "./inter-pod-affinity.ts";
import { NodeAffinity } from "./node-affinity.ts";
import { NodeName } from "./node-name.ts";
import { NodePorts } from "./node-ports.ts";
import { NodeResourcesFit } from "./node-resources-fit.ts";
import { NodeUnschedulable } from "./node-unschedulable.ts";
import { OwnerSpread } from "./owner-spread.ts";
import { PodTopologySpread } from "./pod-topology-spread.ts";
import { TaintToleration } from "./taint-toleration.ts";

export function defaultPlugins(): Plugin[] {
  return [
    NodeUnschedulable,
    NodeName,
    TaintToleration,
    NodeAffinity,
    NodePorts,
    NodeResourcesFit,
    PodTopologySpread,
    InterPodAffinity,
    NodeResourcesBalancedAllocation,
    OwnerSpread,
  ];
}
