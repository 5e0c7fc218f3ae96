// apps/v1 ControllerRevision: the registry entry (DaemonSet history).
import { controllerOf } from "../meta.ts";
import type { ResourceType } from "../resource-type.ts";
import type { ControllerRevision } from "../types.ts";
import { ageColumn, orNone } from "./columns.ts";
import { validateControllerRevision } from "./workload-admission.ts";
import { admission } from "./admission.ts";

export const ControllerRevisions: ResourceType<ControllerRevision> = {
  group: "apps",
  version: "v1",
  kind: "ControllerRevision",
  plural: "controllerrevisions",
  singular: "controllerrevision",
  shortNames: [],
  namespaced: true,
  subresources: [],
  statusSubresource: false,
  ...admission("ControllerRevision", undefined, validateControllerRevision),
  columns: [
    {
      name: "CONTROLLER",
      value: (r) => {
        const ref = controllerOf(r);
        return ref ? `${ref.kind.toLowerCase()}.${ref.apiVersion.split("/")[0]}/${ref.name}` : "<none>";
      },
    },
    { name: "REVISION", value: (r) => orNone(r.revision === undefined ? undefined : String(r.revision)) },
    ageColumn(),
  ],
};
