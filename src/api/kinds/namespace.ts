// core/v1 Namespace: the registry entry.
import type { ResourceType } from "../resource-type.ts";
import type { Namespace } from "../types.ts";
import { ageColumn } from "./columns.ts";
import { defaultNamespace, validateNamespace } from "./namespace-admission.ts";
import { admission } from "./admission.ts";

export const Namespaces: ResourceType<Namespace> = {
  group: "",
  version: "v1",
  kind: "Namespace",
  plural: "namespaces",
  singular: "namespace",
  shortNames: ["ns"],
  namespaced: false,
  subresources: ["status"],
  statusSubresource: true,
  ...admission("Namespace", defaultNamespace, validateNamespace),
  selectableFields: {
    "status.phase": (n) => n.status?.phase ?? "",
  },
  columns: [{ name: "STATUS", value: (n) => n.status?.phase ?? "" }, ageColumn()],
};
