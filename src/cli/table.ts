// kubectl-style tables: NAME, then the kind's columns from the registry
// (NAMESPACE first with -A), cells padded to the widest, three spaces apart.
import type { ResourceType } from "../api/resource-type.ts";
import type { KubeObject } from "../api/types.ts";

export interface TableOptions {
  wide?: boolean;
  withNamespace?: boolean;
  /** Prefix names with "kind/" (several kinds in one output). */
  withKind?: boolean;
  showLabels?: boolean;
  now?: number;
}

const gap = "   ";

function columnsOf(rt: ResourceType, opts: TableOptions) {
  return rt.columns.filter((c) => opts.wide || !c.priority);
}

export function tableHeader(rt: ResourceType, opts: TableOptions): string[] {
  const header = ["NAME", ...columnsOf(rt, opts).map((c) => c.name)];
  if (opts.withNamespace) header.unshift("NAMESPACE");
  if (opts.showLabels) header.push("LABELS");
  return header;
}

/** "pod" or "deployment.apps": the kind prefix kubectl prints before names. */
export function kindPrefix(rt: Pick<ResourceType, "group" | "singular">): string {
  return rt.group ? `${rt.singular}.${rt.group}` : rt.singular;
}

export function tableRow(rt: ResourceType, obj: KubeObject, opts: TableOptions): string[] {
  const now = opts.now ?? Date.now();
  const name = opts.withKind ? `${kindPrefix(rt)}/${obj.metadata.name ?? ""}` : (obj.metadata.name ?? "");
  const row = [name, ...columnsOf(rt, opts).map((c) => cell(() => c.value(obj, now)))];
  if (opts.withNamespace) row.unshift(obj.metadata.namespace ?? "");
  if (opts.showLabels) row.push(labelsCell(obj.metadata.labels));
  return row;
}

function cell(read: () => string): string {
  try {
    return read() ?? "";
  } catch {
    // A malformed object must not stop the whole table.
    return "<error>";
  }
}

export function labelsCell(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(",") : "<none>";
}

/** Column widths: the widest cell of each column. */
export function columnWidths(rows: string[][]): number[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return widths;
}

/** One line: cells padded to `widths` (the last cell unpadded). */
export function formatRow(row: string[], widths: number[]): string {
  return row
    .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? c.length)))
    .join(gap)
    .trimEnd();
}

export function formatTable(rows: string[][]): string {
  const widths = columnWidths(rows);
  return rows.map((r) => formatRow(r, widths) + "\n").join("");
}

/** The whole table for a set of objects of one kind. */
export function renderTable(rt: ResourceType, objs: KubeObject[], opts: TableOptions & { noHeaders?: boolean }): string {
  const rows = objs.map((o) => tableRow(rt, o, opts));
  if (!opts.noHeaders) rows.unshift(tableHeader(rt, opts));
  return formatTable(rows);
}
