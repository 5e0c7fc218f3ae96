// -o json|yaml|name|wide: how objects are printed when not as a table.
import { toYaml } from "../api/encoding.ts";
import { ApiError } from "../api/errors.ts";
import type { ResourceType } from "../api/resource-type.ts";
import { apiVersionOf } from "../api/resource-type.ts";
import type { KubeObject } from "../api/types.ts";
import { kindPrefix } from "./table.ts";

export type OutputFormat = "table" | "wide" | "json" | "yaml" | "name" | "jsonpath" | "custom-columns";

export function parseOutput(o: string | undefined): OutputFormat {
  if (o === undefined || o === "") return "table";
  if (o === "wide" || o === "json" || o === "yaml" || o === "name") return o;
  if (o.startsWith("jsonpath=")) return "jsonpath";
  if (o.startsWith("custom-columns=")) return "custom-columns";
  throw ApiError.badRequest(`unable to match a printer suitable for the output format "${o}", allowed formats are: custom-columns=SPEC,json,jsonpath=TEMPLATE,name,wide,yaml`);
}

/** The TEMPLATE of -o jsonpath=TEMPLATE, or the SPEC of -o custom-columns=SPEC. */
export function outputTemplate(o: string | undefined): string {
  const eq = o?.indexOf("=") ?? -1;
  return o && eq > 0 && (o.startsWith("jsonpath=") || o.startsWith("custom-columns=")) ? o.slice(eq + 1) : "";
}

/** "pod/web" or "deployment.apps/web". */
export function objectName(rt: ResourceType, obj: KubeObject): string {
  return `${kindPrefix(rt)}/${obj.metadata.name ?? ""}`;
}

/** List items may come without apiVersion/kind; printed objects always carry them. */
export function withTypeMeta<T extends KubeObject>(rt: ResourceType, obj: T): T {
  if (obj.apiVersion && obj.kind) return obj;
  const typeMeta = { apiVersion: obj.apiVersion || apiVersionOf(rt), kind: obj.kind || rt.kind };
  // apiVersion and kind first, as kubectl prints them.
  return Object.assign({ ...typeMeta }, obj, typeMeta);
}

export function asList(items: KubeObject[], resourceVersion = ""): KubeObject {
  return { apiVersion: "v1", kind: "List", metadata: { resourceVersion }, items };
}

/** Serialise one value as -o json or -o yaml. */
export function serialize(value: unknown, format: "json" | "yaml"): string {
  if (format === "json") return JSON.stringify(value, null, 4) + "\n";
  const y = toYaml(value);
  return y.endsWith("\n") ? y : y + "\n";
}
