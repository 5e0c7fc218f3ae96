// Column building blocks shared by the kinds' tables (kubectl's printers).
import { formatAge } from "../meta.ts";
import type { Column } from "../resource-type.ts";
import type { KubeObject, PodTemplateSpec, ReplicaSet, ReplicationController } from "../types.ts";

export function ageColumn<T extends KubeObject>(): Column<T> {
  return { name: "AGE", value: (obj, now) => formatAge(obj.metadata.creationTimestamp, now) };
}

/** A count that may be absent (kubectl prints 0). */
export function num(n: number | undefined): string {
  return String(n ?? 0);
}

export function orNone(s: string | undefined): string {
  return s ? s : "<none>";
}

export function containerNames(template: PodTemplateSpec | undefined): string {
  return orNone(template?.spec?.containers?.map((c) => c.name).join(","));
}

export function containerImages(template: PodTemplateSpec | undefined): string {
  return orNone(template?.spec?.containers?.map((c) => c.image ?? "").join(","));
}

export function mapToString(m: Record<string, string> | undefined): string {
  if (!m) return "";
  return Object.entries(m)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

/** kubectl's table for ReplicaSets and ReplicationControllers; they differ only in how the selector prints. */
export function replicaColumns<T extends ReplicaSet | ReplicationController>(selector: (obj: T) => string): Column<T>[] {
  return [
    { name: "DESIRED", value: (r) => num(r.spec?.replicas) },
    { name: "CURRENT", value: (r) => num(r.status?.replicas) },
    { name: "READY", value: (r) => num(r.status?.readyReplicas) },
    ageColumn(),
    { name: "CONTAINERS", priority: 1, value: (r) => containerNames(r.spec?.template) },
    { name: "IMAGES", priority: 1, value: (r) => containerImages(r.spec?.template) },
    { name: "SELECTOR", priority: 1, value: selector },
  ];
}
