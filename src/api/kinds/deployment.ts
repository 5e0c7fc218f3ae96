// apps/v1 Deployment: the registry entry.
import type { ResourceType } from "../resource-type.ts";
import { selectorToString } from "../selectors.ts";
import type { Deployment } from "../types.ts";
import { ageColumn, containerImages, containerNames, num } from "./columns.ts";
import { defaultDeployment, validateDeployment } from "./workload-admission.ts";
import { admission } from "./admission.ts";

export const Deployments: ResourceType<Deployment> = {
  group: "apps",
  version: "v1",
  kind: "Deployment",
  plural: "deployments",
  singular: "deployment",
  shortNames: ["deploy"],
  namespaced: true,
  subresources: ["status", "scale"],
  statusSubresource: true,
  ...admission("Deployment", defaultDeployment, validateDeployment),
  columns: [
    { name: "READY", value: (d) => `${num(d.status?.readyReplicas)}/${num(d.spec?.replicas)}` },
    { name: "UP-TO-DATE", value: (d) => num(d.status?.updatedReplicas) },
    { name: "AVAILABLE", value: (d) => num(d.status?.availableReplicas) },
    ageColumn(),
    { name: "CONTAINERS", priority: 1, value: (d) => containerNames(d.spec?.template) },
    { name: "IMAGES", priority: 1, value: (d) => containerImages(d.spec?.template) },
    { name: "SELECTOR", priority: 1, value: (d) => selectorToString(d.spec?.selector) },
  ],
};
