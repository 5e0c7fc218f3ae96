// Namespace defaults and validation.
import type { Namespace, StatusCause } from "../types.ts";
import { validateEnum, validateMeta } from "../validation.ts";

export function defaultNamespace(ns: Namespace): void {
  ns.status ??= {};
  ns.status.phase ??= "Active";
}

export function validateNamespace(ns: Namespace, old?: Namespace): StatusCause[] {
  const causes = validateMeta(ns.metadata, old?.metadata, { namespaced: false, name: "label" });
  causes.push(...validateEnum(ns.status?.phase, "status.phase", ["Active", "Terminating"]));
  return causes;
}
