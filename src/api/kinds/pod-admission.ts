// Pod (and pods/binding) defaults and validation.
import type { Binding, Pod, StatusCause } from "../types.ts";
import { dns1123SubdomainErrors, invalid, required, validateMeta } from "../validation.ts";
import { defaultPodSpec, validatePodSpec, validatePodSpecUpdate } from "./pod-spec.ts";

export function defaultPod(pod: Pod): void {
  defaultPodSpec(pod.spec);
}

export function validatePod(pod: Pod, old?: Pod): StatusCause[] {
  const causes = validateMeta(pod.metadata, old?.metadata, { namespaced: true, name: "subdomain" });
  causes.push(...validatePodSpec(pod.spec, "spec"));
  if (old) causes.push(...validatePodSpecUpdate(pod.spec, old.spec, "spec"));
  return causes;
}

/** A pods/binding body: a target node name. */
export function validateBinding(binding: Binding): StatusCause[] {
  const name = binding?.target?.name;
  if (typeof name !== "string" || !name) return [required("target.name")];
  return dns1123SubdomainErrors(name).map((e) => invalid("target.name", name, e));
}
