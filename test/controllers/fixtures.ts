// Builders for the objects the controller unit tests feed their pure steps.
import type { Deployment, Job, Node, Pod, PodPhase, PodTemplateSpec, ReplicaSet } from "../../src/api/types.ts";

let counter = 0;
export const T0 = Date.parse("2026-01-01T00:00:00Z");
export const iso = (ms: number) => new Date(ms).toISOString();

export function template(image = "nginx:1", labels: Record<string, string> = { app: "web" }): PodTemplateSpec {
  return { metadata: { labels: { ...labels } }, spec: { containers: [{ name: "c", image }] } };
}

export interface PodOpts {
  name?: string;
  labels?: Record<string, string>;
  owner?: { kind: string; name: string; uid: string };
  node?: string;
  phase?: PodPhase;
  ready?: boolean;
  readySince?: number;
  created?: number;
  deleting?: boolean;
  restarts?: number;
  ip?: string;
  namespace?: string;
}

export function pod(o: PodOpts = {}): Pod {
  const n = ++counter;
  const p: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: o.name ?? `pod-${n}`,
      namespace: o.namespace ?? "default",
      uid: `pod-uid-${o.name ?? n}`,
      labels: o.labels ?? { app: "web" },
      creationTimestamp: iso(o.created ?? T0 + n),
    },
    spec: { containers: [{ name: "c", image: "nginx:1" }] },
    status: { phase: o.phase ?? (o.ready ? "Running" : "Pending") },
  };
  if (o.owner) p.metadata.ownerReferences = [{ apiVersion: "apps/v1", kind: o.owner.kind, name: o.owner.name, uid: o.owner.uid, controller: true }];
  if (o.node) p.spec.nodeName = o.node;
  if (o.deleting) p.metadata.deletionTimestamp = iso(T0);
  if (o.ip) p.status!.podIP = o.ip;
  if (o.ready !== undefined) p.status!.conditions = [{ type: "Ready", status: o.ready ? "True" : "False", lastTransitionTime: iso(o.readySince ?? T0) }];
  if (o.restarts !== undefined) p.status!.containerStatuses = [{ name: "c", ready: !!o.ready, restartCount: o.restarts }];
  return p;
}

export function replicaSet(name: string, o: { replicas: number; template?: PodTemplateSpec; uid?: string; revision?: number; available?: number; ready?: number; statusReplicas?: number; created?: number; owner?: Deployment; generation?: number; observedGeneration?: number }): ReplicaSet {
  const rs: ReplicaSet = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name,
      namespace: "default",
      uid: o.uid ?? `rs-uid-${name}`,
      generation: o.generation ?? 1,
      creationTimestamp: iso(o.created ?? T0),
      annotations: o.revision !== undefined ? { "deployment.kubernetes.io/revision": String(o.revision) } : {},
    },
    spec: { replicas: o.replicas, selector: { matchLabels: { app: "web" } }, template: o.template ?? template() },
    status: {
      replicas: o.statusReplicas ?? o.replicas,
      readyReplicas: o.ready ?? o.available ?? o.replicas,
      availableReplicas: o.available ?? o.replicas,
      observedGeneration: o.observedGeneration ?? o.generation ?? 1,
    },
  };
  if (o.owner) rs.metadata.ownerReferences = [{ apiVersion: "apps/v1", kind: "Deployment", name: o.owner.metadata.name!, uid: o.owner.metadata.uid!, controller: true }];
  return rs;
}

export function deployment(o: { replicas?: number; template?: PodTemplateSpec; maxSurge?: number | string; maxUnavailable?: number | string; strategy?: "Recreate" | "RollingUpdate"; paused?: boolean; progressDeadlineSeconds?: number; revisionHistoryLimit?: number } = {}): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", uid: "deploy-uid", generation: 2, creationTimestamp: iso(T0) },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: "web" } },
      template: o.template ?? template(),
      strategy: o.strategy === "Recreate" ? { type: "Recreate" } : { type: "RollingUpdate", rollingUpdate: { maxSurge: o.maxSurge ?? "25%", maxUnavailable: o.maxUnavailable ?? "25%" } },
      paused: o.paused,
      progressDeadlineSeconds: o.progressDeadlineSeconds ?? 600,
      revisionHistoryLimit: o.revisionHistoryLimit,
    },
  };
}

export function node(name: string, o: { labels?: Record<string, string>; taints?: NonNullable<Node["spec"]>["taints"]; ready?: "True" | "False" | "Unknown" } = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, uid: `node-uid-${name}`, labels: { "kubernetes.io/hostname": name, ...(o.labels ?? {}) } },
    spec: { taints: o.taints },
    status: { conditions: [{ type: "Ready", status: o.ready ?? "True", lastHeartbeatTime: iso(T0) }] },
  };
}

export function job(o: { completions?: number; parallelism?: number; backoffLimit?: number; activeDeadlineSeconds?: number; ttl?: number; restartPolicy?: "Never" | "OnFailure"; status?: Job["status"] } = {}): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "pi", namespace: "default", uid: "job-uid", creationTimestamp: iso(T0) },
    spec: {
      completions: o.completions,
      parallelism: o.parallelism,
      backoffLimit: o.backoffLimit,
      activeDeadlineSeconds: o.activeDeadlineSeconds,
      ttlSecondsAfterFinished: o.ttl,
      template: { spec: { containers: [{ name: "c", image: "busybox" }], restartPolicy: o.restartPolicy ?? "Never" } },
    },
    status: o.status,
  };
}
