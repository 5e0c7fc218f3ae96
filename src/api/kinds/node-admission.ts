// Node defaults and validation.
import { isValidQuantity } from "../quantity.ts";
import type { Node, StatusCause } from "../types.ts";
import { normalizeQuantities } from "./pod-spec.ts";
import { duplicate, invalid, qualifiedNameErrors, required, validateEnum, validateMeta } from "../validation.ts";

export function defaultNode(node: Node): void {
  normalizeQuantities(node.status?.capacity);
  normalizeQuantities(node.status?.allocatable);
}

export function validateNode(node: Node, old?: Node): StatusCause[] {
  const causes = validateMeta(node.metadata, old?.metadata, { namespaced: false, name: "subdomain" });
  const seen = new Set<string>();
  (node.spec?.taints ?? []).forEach((t, i) => {
    const f = `spec.taints[${i}]`;
    if (!t?.key) causes.push(required(`${f}.key`));
    else for (const e of qualifiedNameErrors(t.key)) causes.push(invalid(`${f}.key`, t.key, e));
    causes.push(...validateEnum(t?.effect, `${f}.effect`, ["NoSchedule", "PreferNoSchedule", "NoExecute"], true));
    const id = `${t?.key}:${t?.effect}`;
    if (seen.has(id)) causes.push(duplicate(f, `${t?.key}:${t?.effect}`));
    seen.add(id);
  });
  for (const part of ["capacity", "allocatable"] as const) {
    for (const [name, value] of Object.entries(node.status?.[part] ?? {})) {
      if (!isValidQuantity(value)) causes.push(invalid(`status.${part}[${name}]`, value, "must be a valid quantity"));
    }
  }
  return causes;
}
