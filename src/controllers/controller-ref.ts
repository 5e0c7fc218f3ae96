// Which objects a controller owns: Kubernetes' ControllerRefManager. A controller
// keeps the objects whose controller reference names it and that still match its
// selector, adopts matching orphans, and releases those that stop matching.
import { controllerOf, controllerRef, isBeingDeleted } from "../api/meta.ts";
import { labelSelectorFromObject, matches } from "../api/selectors.ts";
import type { KubeObject, LabelSelector, OwnerReference } from "../api/types.ts";

/** A workload's selector is empty: it would claim every pod in the namespace, so it claims none. */
export function isEmptySelector(sel: LabelSelector | undefined): boolean {
  return !sel || (!sel.matchExpressions?.length && !Object.keys(sel.matchLabels ?? {}).length);
}

/** Does a workload's selector match these labels? An empty one matches nothing (Kubernetes refuses it). */
export function workloadSelects(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  return !isEmptySelector(sel) && matches(labelSelectorFromObject(sel), labels);
}

export interface Claim<T extends KubeObject> {
  /** Controlled by the owner and matching (after adoption/release). */
  owned: T[];
  /** Orphans to adopt: matching, no controller, not being deleted. */
  adopt: T[];
  /** Controlled by the owner but no longer matching. */
  release: T[];
}

export function claimObjects<T extends KubeObject>(owner: KubeObject, selects: (labels: Record<string, string>) => boolean, objects: T[]): Claim<T> {
  const claim: Claim<T> = { owned: [], adopt: [], release: [] };
  const ownerGone = isBeingDeleted(owner);
  for (const obj of objects) {
    if (obj.metadata.namespace !== owner.metadata.namespace) continue;
    const ref = controllerOf(obj);
    const matching = selects(obj.metadata.labels ?? {});
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matching) claim.owned.push(obj);
      else if (!ownerGone) claim.release.push(obj);
      continue;
    }
    if (!matching || ownerGone || isBeingDeleted(obj)) continue;
    claim.adopt.push(obj);
    claim.owned.push(obj);
  }
  return claim;
}

/** Merge patch that makes `owner` the controller of an orphan (keeps other, non-controller refs). */
export function adoptPatch(obj: KubeObject, owner: KubeObject): { metadata: { ownerReferences: OwnerReference[]; resourceVersion?: string } } {
  const others = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
  return { metadata: { ownerReferences: [...others, controllerRef(owner)], resourceVersion: obj.metadata.resourceVersion } };
}

/** Merge patch dropping `owner`'s reference from `obj`. */
export function releasePatch(obj: KubeObject, ownerUid: string): { metadata: { ownerReferences: OwnerReference[] | null; resourceVersion?: string } } {
  const rest = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
  return { metadata: { ownerReferences: rest.length ? rest : null, resourceVersion: obj.metadata.resourceVersion } };
}
