// apps/v1 ReplicaSet: the registry entry.
import type { ResourceType } from "../resource-type.ts";
import { selectorToString } from "../selectors.ts";
import type { ReplicaSet } from "../types.ts";
import { num, replicaColumns } from "./columns.ts";
import { defaultReplicaSet, validateReplicaSet } from "./workload-admission.ts";
import { admission } from "./admission.ts";

export const ReplicaSets: ResourceType<ReplicaSet> = {
  group: "apps",
  version: "v1",
  kind: "ReplicaSet",
  plural: "replicasets",
  singular: "replicaset",
  shortNames: ["rs"],
  namespaced: true,
  subresources: ["status", "scale"],
  statusSubresource: true,
  ...admission("ReplicaSet", defaultReplicaSet, validateReplicaSet),
  selectableFields: {
    "status.replicas": (r) => num(r.status?.replicas),
  },
  columns: replicaColumns((r) => selectorToString(r.spec?.selector)),
};
