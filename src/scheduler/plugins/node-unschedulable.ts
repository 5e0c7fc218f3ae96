// NodeUnschedulable: a cordoned node (spec.unschedulable) takes only pods that
// tolerate the node.kubernetes.io/unschedulable:NoSchedule taint.
import type { Plugin } from "../framework.ts";
import { TAINT_UNSCHEDULABLE } from "../node-info.ts";
import { tolerates } from "./taint-toleration.ts";

export const ERR_UNSCHEDULABLE = "node(s) were unschedulable";

const cordonTaint = { key: TAINT_UNSCHEDULABLE, effect: "NoSchedule" as const };

export const NodeUnschedulable: Plugin = {
  name: "NodeUnschedulable",
  filter(pod, node) {
    if (!node.unschedulable) return undefined;
    return pod.tolerations.some((t) => tolerates(t, cordonTaint)) ? undefined : ERR_UNSCHEDULABLE;
  },
};
