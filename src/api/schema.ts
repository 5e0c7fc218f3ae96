// Shapes of the JSON the API accepts: what Kubernetes gets from decoding into
// typed structs. A body whose fields have the wrong JSON type (a string where a
// list belongs) is refused with field errors before defaults and validation
// look at it, so those can trust the types. Undeclared fields are kept as they
// are and not checked.
import type { StatusCause } from "./types.ts";
import { invalid } from "./validation.ts";

export type Shape =
  | { t: "string" }
  | { t: "int" }
  | { t: "number" }
  | { t: "bool" }
  | { t: "intOrString" }
  | { t: "any" }
  | { t: "list"; of: Shape }
  | { t: "map"; of: Shape }
  | { t: "object"; fields: Record<string, Shape> };

export const str: Shape = { t: "string" };
export const int: Shape = { t: "int" };
export const num: Shape = { t: "number" };
export const bool: Shape = { t: "bool" };
export const intOrString: Shape = { t: "intOrString" };
export const any: Shape = { t: "any" };
export const list = (of: Shape): Shape => ({ t: "list", of });
export const map = (of: Shape): Shape => ({ t: "map", of });
export const obj = (fields: Record<string, Shape>): Shape => ({ t: "object", fields });
export const strings = list(str);
export const stringMap = map(str);

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  return typeof v === "object" ? "object" : typeof v;
}

function wrong(path: string, v: unknown, want: string): StatusCause {
  return invalid(path || "<root>", v, `must be ${want}, not ${typeName(v)}`);
}

/** Field errors for values of the wrong JSON type; null counts as absent, like Kubernetes' decoder. */
export function checkShape(value: unknown, shape: Shape, path = ""): StatusCause[] {
  if (value === undefined || value === null) return [];
  switch (shape.t) {
    case "any":
      return [];
    case "string":
      return typeof value === "string" ? [] : [wrong(path, value, "a string")];
    case "int":
      return typeof value === "number" && Number.isInteger(value) ? [] : [wrong(path, value, "an integer")];
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? [] : [wrong(path, value, "a number")];
    case "bool":
      return typeof value === "boolean" ? [] : [wrong(path, value, "a boolean")];
    case "intOrString":
      return typeof value === "string" || (typeof value === "number" && Number.isInteger(value)) ? [] : [wrong(path, value, "an integer or a string")];
    case "list":
      if (!Array.isArray(value)) return [wrong(path, value, "a list")];
      return value.flatMap((v, i) => (v === null ? [wrong(`${path}[${i}]`, v, describeShape(shape.of))] : checkShape(v, shape.of, `${path}[${i}]`)));
    case "map":
      if (typeName(value) !== "object") return [wrong(path, value, "an object")];
      return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => checkShape(v, shape.of, `${path}[${k}]`));
    case "object": {
      if (typeName(value) !== "object") return [wrong(path, value, "an object")];
      const o = value as Record<string, unknown>;
      return Object.entries(shape.fields).flatMap(([k, s]) => checkShape(o[k], s, path ? `${path}.${k}` : k));
    }
  }
}

function describeShape(s: Shape): string {
  switch (s.t) {
    case "list":
      return "a list";
    case "map":
    case "object":
      return "an object";
    case "intOrString":
      return "an integer or a string";
    case "int":
      return "an integer";
    default:
      return `a ${s.t}`;
  }
}
