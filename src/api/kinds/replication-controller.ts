// core/v1 ReplicationController: the registry entry.
import type { ResourceType } from "../resource-type.ts";
import type { ReplicationController } from "../types.ts";
import { mapToString, num, orNone, replicaColumns } from "./columns.ts";
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
  columns: replicaColumns((r) => orNone(mapToString(r.spec?.selector))),
};
