// apps/v1 ReplicaSet: the registry entry.
import type { ResourceType } from "../resource-type.ts";
import { selectorToString } from "../selectors.ts";
import type { ReplicaSet } from "../types.ts";
import { ageColumn, containerImages, containerNames, num } from "./columns.ts";
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
  columns: [
    { name: "DESIRED", value: (r) => num(r.spec?.replicas) },
    { name: "CURRENT", value: (r) => num(r.status?.replicas) },
    { name: "READY", value: (r) => num(r.status?.readyReplicas) },
    ageColumn(),
    { name: "CONTAINERS", priority: 1, value: (r) => containerNames(r.spec?.template) },
    { name: "IMAGES", priority: 1, value: (r) => containerImages(r.spec?.template) },
    { name: "SELECTOR", priority: 1, value: (r) => selectorToString(r.spec?.selector) },
  ],
};
