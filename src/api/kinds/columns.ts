// Column building blocks shared by the kinds' tables (kubectl's printers).
import { formatAge } from "../meta.ts";
import type { Column } from "../resource-type.ts";
import type { KubeObject, PodTemplateSpec } from "../types.ts";

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
