// Server-side Table output (Accept: application/json;as=Table;v=v1;g=meta.k8s.io):
// what makes `kubectl get` print the registry's columns for skiff's kinds.
import type { ResourceType } from "../api/resource-type.ts";
import type { KubeObject } from "../api/types.ts";

export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface Table {
  kind: "Table";
  apiVersion: "meta.k8s.io/v1";
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: TableColumn[];
  rows: { cells: unknown[]; object?: unknown }[];
}

export type IncludeObject = "None" | "Metadata" | "Object";

export function wantsTable(accept: string | null | undefined): boolean {
  if (!accept) return false;
  return accept.split(",").some((part) => {
    const params = part.split(";").map((p) => p.trim());
    return params[0] === "application/json" && params.includes("as=Table") && params.includes("g=meta.k8s.io");
  });
}

export function includeObjectParam(v: string | null): IncludeObject {
  return v === "None" || v === "Object" ? v : "Metadata";
}

function columnsOf(rt: ResourceType): TableColumn[] {
  return [
    { name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace.", priority: 0 },
    ...rt.columns.map((c) => ({ name: c.name, type: "string", format: "", description: c.name, priority: c.priority ?? 0 })),
  ];
}

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === "None") return undefined;
  if (include === "Object") return obj;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
}

export function toTable(rt: ResourceType, items: KubeObject[], now: number, include: IncludeObject, meta: Table["metadata"] = {}, withColumns = true): Table {
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: meta,
    columnDefinitions: withColumns ? columnsOf(rt) : [],
    rows: items.map((obj) => ({
      cells: [obj.metadata.name ?? "", ...rt.columns.map((c) => safeCell(() => c.value(obj, now)))],
      object: rowObject(obj, include),
    })),
  };
}

function safeCell(f: () => string): string {
  try {
    return f();
  } catch {
    return "<error>";
  }
}
