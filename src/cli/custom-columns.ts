// -o custom-columns=HEADER:.path,HEADER2:{.other.path}: a table of chosen fields.
import { ApiError } from "../api/errors.ts";
import type { KubeObject } from "../api/types.ts";
import { evaluatePath, parsePath } from "./jsonpath.ts";
import { formatTable } from "./table.ts";

export interface CustomColumn {
  header: string;
  path: ReturnType<typeof parsePath>;
}

export function parseCustomColumns(spec: string): CustomColumn[] {
  if (!spec.trim()) throw ApiError.badRequest("custom-columns format specified but no custom columns given");
  return spec.split(",").map((part) => {
    const colon = part.indexOf(":");
    if (colon <= 0) throw ApiError.badRequest(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    let expr = part.slice(colon + 1).trim();
    if (expr.startsWith("{") && expr.endsWith("}")) expr = expr.slice(1, -1);
    if (!expr.startsWith(".") && !expr.startsWith("$") && !expr.startsWith("@")) expr = `.${expr}`;
    return { header: part.slice(0, colon).trim(), path: parsePath(expr, part) };
  });
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return "<none>";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export function renderCustomColumns(columns: CustomColumn[], objs: KubeObject[], noHeaders = false): string {
  const rows = objs.map((o) =>
    columns.map((c) => {
      const values = evaluatePath(o, c.path);
      return values.length ? values.map(cell).join(",") : "<none>";
    }),
  );
  if (!noHeaders) rows.unshift(columns.map((c) => c.header));
  return formatTable(rows);
}
