// coordination.k8s.io/v1 Lease: the registry entry.
import type { ResourceType } from "../resource-type.ts";
import type { Lease } from "../types.ts";
import { ageColumn } from "./columns.ts";
import { validateLease } from "./lease-admission.ts";
import { admission } from "./admission.ts";

export const Leases: ResourceType<Lease> = {
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  plural: "leases",
  singular: "lease",
  shortNames: [],
  namespaced: true,
  subresources: [],
  statusSubresource: false,
  ...admission("Lease", undefined, validateLease),
  columns: [{ name: "HOLDER", value: (l) => l.spec?.holderIdentity ?? "" }, ageColumn()],
};
