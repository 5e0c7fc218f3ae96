// TaintToleration: a node's NoSchedule/NoExecute taints (including the ones
// implied by its Ready condition, see effectiveTaints) keep out pods that do not
// tolerate them; PreferNoSchedule taints only lower the node's score.
import type { Taint, Toleration } from "../../api/types.ts";
import { normalizeByMax, type Plugin } from "../framework.ts";

/** Kubernetes' ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === "Exists") return true;
  if (!t.key) return false;
  return (t.value ?? "") === (taint.value ?? "");
}

export function untoleratedTaintMessage(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`;
}

export const TaintToleration: Plugin = {
  name: "TaintToleration",
  weight: 3,
  filter(pod, node) {
    for (const taint of node.taints) {
      if (taint.effect === "PreferNoSchedule") continue;
      if (!pod.tolerations.some((t) => tolerates(t, taint))) return untoleratedTaintMessage(taint);
    }
    return undefined;
  },
  score(pod, node) {
    let n = 0;
    for (const taint of node.taints) {
      if (taint.effect !== "PreferNoSchedule") continue;
      if (!pod.tolerations.some((t) => (!t.effect || t.effect === "PreferNoSchedule") && tolerates(t, taint))) n++;
    }
    return n;
  },
  normalize: (scores) => normalizeByMax(scores, true),
};
