// Event validation.
import type { Event, StatusCause } from "../types.ts";
import { invalid, required, validateEnum, validateMeta, validateNonNegative } from "../validation.ts";

export function validateEvent(ev: Event, old?: Event): StatusCause[] {
  const causes = validateMeta(ev.metadata, old?.metadata, { namespaced: true, name: "subdomain" });
  const obj = ev.involvedObject;
  if (!obj || typeof obj !== "object") return [...causes, required("involvedObject")];
  if (!obj.kind) causes.push(required("involvedObject.kind"));
  if (!obj.name) causes.push(required("involvedObject.name"));
  // A namespaced object's events live in its namespace.
  if (obj.namespace && ev.metadata?.namespace && obj.namespace !== ev.metadata.namespace) {
    causes.push(invalid("involvedObject.namespace", obj.namespace, "does not match event.namespace"));
  }
  causes.push(...validateEnum(ev.type, "type", ["Normal", "Warning"]));
  causes.push(...validateNonNegative(ev.count, "count"));
  return causes;
}
