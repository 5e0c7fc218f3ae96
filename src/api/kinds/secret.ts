// core/v1 Secret: the registry entry.
import type { ResourceType } from "../resource-type.ts";
import type { Secret } from "../types.ts";
import { ageColumn } from "./columns.ts";
import { defaultSecret, validateSecret } from "./config-admission.ts";
import { admission } from "./admission.ts";

export const Secrets: ResourceType<Secret> = {
  group: "",
  version: "v1",
  kind: "Secret",
  plural: "secrets",
  singular: "secret",
  shortNames: [],
  namespaced: true,
  subresources: [],
  statusSubresource: false,
  ...admission("Secret", defaultSecret, validateSecret),
  selectableFields: {
    type: (s) => s.type ?? "",
  },
  columns: [
    { name: "TYPE", value: (s) => s.type ?? "Opaque" },
    { name: "DATA", value: (s) => String(Object.keys(s.data ?? {}).length) },
    ageColumn(),
  ],
};
