// core/v1 ConfigMap: the registry entry.
import type { ResourceType } from "../resource-type.ts";
import type { ConfigMap } from "../types.ts";
import { ageColumn } from "./columns.ts";
import { validateConfigMap } from "./config-admission.ts";
import { admission } from "./admission.ts";

export const ConfigMaps: ResourceType<ConfigMap> = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  singular: "configmap",
  shortNames: ["cm"],
  namespaced: true,
  subresources: [],
  statusSubresource: false,
  ...admission("ConfigMap", undefined, validateConfigMap),
  columns: [
    { name: "DATA", value: (c) => String(Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length) },
    ageColumn(),
  ],
};
