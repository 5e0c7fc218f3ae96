// Lease validation.
import type { Lease, StatusCause } from "../types.ts";
import { validateMeta, validateNonNegative, validatePositive } from "../validation.ts";

export function validateLease(lease: Lease, old?: Lease): StatusCause[] {
  const causes = validateMeta(lease.metadata, old?.metadata, { namespaced: true, name: "subdomain" });
  causes.push(...validatePositive(lease.spec?.leaseDurationSeconds, "spec.leaseDurationSeconds"));
  causes.push(...validateNonNegative(lease.spec?.leaseTransitions, "spec.leaseTransitions"));
  return causes;
}
