// Which taints a pod's tolerations leave uncovered (the DaemonSet and node
// lifecycle controllers' question). Matching one toleration to one taint is the
// scheduler's `tolerates` (Kubernetes' ToleratesTaint): one definition for both.
import type { Taint, Toleration } from "../api/types.ts";
import { tolerates } from "../scheduler/plugins/taint-toleration.ts";

export function findToleration(tolerations: Toleration[] | undefined, taint: Taint): Toleration | undefined {
  return tolerations?.find((t) => tolerates(t, taint));
}

/** Taints with the given effects that no toleration covers. */
export function untoleratedTaints(taints: Taint[] | undefined, tolerations: Toleration[] | undefined, effects: Taint["effect"][]): Taint[] {
  return (taints ?? []).filter((taint) => effects.includes(taint.effect) && !findToleration(tolerations, taint));
}
