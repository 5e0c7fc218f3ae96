// core/v1 ReplicationController: the registry entry.
import type { ResourceType } from "../resource-type.ts";
import type { ReplicationController } from "../types.ts";
import { ageColumn, containerImages, containerNames, mapToString, num, orNone } from "./columns.ts";
import { defaultReplicationController, validateReplicationController } from "./workload-admission.ts";
import { admission } from "./admission.ts";

export const ReplicationControllers: ResourceType<ReplicationController> = {
  group: "",
  version: "v1",
  kind: "ReplicationController",
  plural: "replicationcontrollers",
  singular: "replicationcontroller",
  shortNames: ["rc"],
  namespaced: true,
  subresources: ["status", "scale"],
  statusSubresource: true,
  ...admission("ReplicationController", defaultReplicationController, validateReplicationController),
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
    { name: "SELECTOR", priority: 1, value: (r) => orNone(mapToString(r.spec?.selector)) },
  ],
};
