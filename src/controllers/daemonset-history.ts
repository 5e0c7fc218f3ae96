// A DaemonSet's rollout history, kept as ControllerRevisions as in Kubernetes:
// one per template ({daemonset}-{hash}, data = the template), numbered by
// `revision`; rolling back to an old template renumbers its revision as the
// newest. What `rollout history|undo daemonset/NAME` reads.
import { controllerRef } from "../api/meta.ts";
import type { ControllerRevision, DaemonSet, PodTemplateSpec } from "../api/types.ts";

const changeCauseAnnotation = "kubernetes.io/change-cause";

/** The pod label naming the template revision a daemon pod runs. */
export const revisionHashLabel = "controller-revision-hash";

export interface RevisionPlan {
  create?: ControllerRevision;
  /** The current template's revision, renumbered as the newest (a rollback). */
  renumber?: { cr: ControllerRevision; revision: number };
  /** Old revisions beyond revisionHistoryLimit that no pod runs any more. */
  delete: ControllerRevision[];
}

export function revisionName(ds: DaemonSet, hash: string): string {
  return `${ds.metadata.name}-${hash}`;
}

/** The template a revision holds. */
export function revisionTemplate(cr: ControllerRevision): PodTemplateSpec | undefined {
  return (cr.data as { spec?: { template?: PodTemplateSpec } } | undefined)?.spec?.template;
}

export function newRevision(ds: DaemonSet, hash: string, revision: number): ControllerRevision {
  const cause = ds.metadata.annotations?.[changeCauseAnnotation];
  return {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name: revisionName(ds, hash),
      namespace: ds.metadata.namespace,
      labels: { ...(ds.spec.template.metadata?.labels ?? {}), [revisionHashLabel]: hash },
      ...(cause ? { annotations: { [changeCauseAnnotation]: cause } } : {}),
      ownerReferences: [controllerRef(ds)],
    },
    data: { spec: { template: structuredClone(ds.spec.template) } },
    revision,
  };
}

/** `owned`: the DaemonSet's revisions; `inUse`: template hashes its pods still run. */
export function reconcileRevisions(ds: DaemonSet, owned: ControllerRevision[], hash: string, inUse: Set<string>): RevisionPlan {
  const plan: RevisionPlan = { delete: [] };
  const name = revisionName(ds, hash);
  const current = owned.find((cr) => cr.metadata.name === name);
  const others = owned.filter((cr) => cr !== current).sort((a, b) => a.revision - b.revision);
  const newest = others.reduce((m, cr) => Math.max(m, cr.revision), 0);
  if (!current) plan.create = newRevision(ds, hash, newest + 1);
  else if (current.revision <= newest) plan.renumber = { cr: current, revision: newest + 1 };
  const limit = ds.spec.revisionHistoryLimit ?? 10;
  const idle = others.filter((cr) => !inUse.has(cr.metadata.labels?.[revisionHashLabel] ?? cr.metadata.name?.slice((ds.metadata.name?.length ?? 0) + 1) ?? ""));
  const excess = others.length - limit;
  if (excess > 0) plan.delete = idle.slice(0, excess);
  return plan;
}
