// Taint/toleration matching as Kubernetes defines it (used by the DaemonSet and
// node lifecycle controllers to decide where pods may stay).
import type { Taint, Toleration } from "../api/types.ts";

export function tolerationTolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (!t.key) return t.operator === "Exists";
  if (t.key !== taint.key) return false;
  if (t.operator === "Exists") return true;
  return (t.value ?? "") === (taint.value ?? "");
}

export function findToleration(tolerations: Toleration[] | undefined, taint: Taint): Toleration | undefined {
  return tolerations?.find((t) => tolerationTolerates(t, taint));
}

/** Taints with the given effects that no toleration covers. */
export function untoleratedTaints(taints: Taint[] | undefined, tolerations: Toleration[] | undefined, effects: Taint["effect"][]): Taint[] {
  return (taints ?? []).filter((taint) => effects.includes(taint.effect) && !findToleration(tolerations, taint));
}
