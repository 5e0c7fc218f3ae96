// apps/v1 DaemonSet: the registry entry.
import type { ResourceType } from "../resource-type.ts";
import { selectorToString } from "../selectors.ts";
import type { DaemonSet } from "../types.ts";
import { ageColumn, containerImages, containerNames, mapToString, num, orNone } from "./columns.ts";
import { defaultDaemonSet, validateDaemonSet } from "./workload-admission.ts";
import { admission } from "./admission.ts";

export const DaemonSets: ResourceType<DaemonSet> = {
  group: "apps",
  version: "v1",
  kind: "DaemonSet",
  plural: "daemonsets",
  singular: "daemonset",
  shortNames: ["ds"],
  namespaced: true,
  subresources: ["status"],
  statusSubresource: true,
  ...admission("DaemonSet", defaultDaemonSet, validateDaemonSet),
  columns: [
    { name: "DESIRED", value: (d) => num(d.status?.desiredNumberScheduled) },
    { name: "CURRENT", value: (d) => num(d.status?.currentNumberScheduled) },
    { name: "READY", value: (d) => num(d.status?.numberReady) },
    { name: "UP-TO-DATE", value: (d) => num(d.status?.updatedNumberScheduled) },
    { name: "AVAILABLE", value: (d) => num(d.status?.numberAvailable) },
    { name: "NODE SELECTOR", value: (d) => orNone(mapToString(d.spec?.template?.spec?.nodeSelector)) },
    ageColumn(),
    { name: "CONTAINERS", priority: 1, value: (d) => containerNames(d.spec?.template) },
    { name: "IMAGES", priority: 1, value: (d) => containerImages(d.spec?.template) },
    { name: "SELECTOR", priority: 1, value: (d) => selectorToString(d.spec?.selector) },
  ],
};
