// Pure helpers over pods shared by the workload controllers: which pods count,
// how a pod is stamped from a template, and which pods go first on scale-down.
import { controllerRef, getCondition, isBeingDeleted, podIsReady, podIsTerminal } from "../api/meta.ts";
import type { KubeObject, Pod, PodTemplateSpec } from "../api/types.ts";

/** A pod that occupies a replica slot: not finished and not on its way out. */
export function podIsActive(pod: Pod): boolean {
  return !podIsTerminal(pod) && !isBeingDeleted(pod);
}

/** A new pod for `owner` from its template, named by the server from `generateName`. */
export function podFromTemplate(
  template: PodTemplateSpec,
  owner: KubeObject,
  opts: { generateName?: string; name?: string; extraLabels?: Record<string, string>; nodeName?: string } = {},
): Pod {
  const meta = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}), ...(opts.extraLabels ?? {}) },
      annotations: meta.annotations ? { ...meta.annotations } : undefined,
      ownerReferences: [controllerRef(owner)],
      finalizers: meta.finalizers ? [...meta.finalizers] : undefined,
    },
    spec: structuredClone(template.spec),
  };
  if (opts.name) pod.metadata.name = opts.name;
  else pod.metadata.generateName = opts.generateName ?? `${owner.metadata.name}-`;
  if (opts.nodeName) pod.spec.nodeName = opts.nodeName;
  if (!pod.metadata.annotations) delete pod.metadata.annotations;
  if (!pod.metadata.finalizers) delete pod.metadata.finalizers;
  return pod;
}

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, c) => Math.max(n, c.restartCount ?? 0), 0);
}

function time(ts: string | undefined | null): number {
  const t = ts ? Date.parse(ts) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

/**
 * Order for scale-down, most deletable first (Kubernetes' ActivePods ranking):
 * unscheduled before scheduled, Pending before Unknown before Running, not ready
 * before ready, recently ready before long ready, more restarts first, newer first.
 */
export function comparePodsForDeletion(a: Pod, b: Pod): number {
  const boundA = a.spec.nodeName ? 1 : 0;
  const boundB = b.spec.nodeName ? 1 : 0;
  if (boundA !== boundB) return boundA - boundB;
  const phaseA = phaseRank[a.status?.phase ?? "Pending"] ?? 0;
  const phaseB = phaseRank[b.status?.phase ?? "Pending"] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = podIsReady(a) ? 1 : 0;
  const readyB = podIsReady(b) ? 1 : 0;
  if (readyA !== readyB) return readyA - readyB;
  if (readyA && readyB) {
    const sinceA = time(getCondition(a.status?.conditions, "Ready")?.lastTransitionTime);
    const sinceB = time(getCondition(b.status?.conditions, "Ready")?.lastTransitionTime);
    if (sinceA !== sinceB) return sinceB - sinceA;
  }
  const restartsDiff = restarts(b) - restarts(a);
  if (restartsDiff !== 0) return restartsDiff;
  return time(b.metadata.creationTimestamp) - time(a.metadata.creationTimestamp);
}

/** The pods to delete to get rid of `count`, most deletable first. */
export function podsToDelete(pods: Pod[], count: number): Pod[] {
  if (count <= 0) return [];
  return [...pods].sort(comparePodsForDeletion).slice(0, count);
}
