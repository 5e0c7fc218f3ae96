// core/v1 Endpoints: the registry entry. Named EndpointsResource because
// `Endpoints` is the object type.
import type { ResourceType } from "../resource-type.ts";
import type { Endpoints } from "../types.ts";
import { ageColumn } from "./columns.ts";
import { validateEndpoints } from "./endpoints-admission.ts";
import { admission } from "./admission.ts";

/** "10.0.0.1:80,10.0.0.2:80 + 3 more...", like kubectl (ready addresses only). */
export function formatEndpoints(ep: Endpoints, max = 3): string {
  const all: string[] = [];
  for (const subset of ep.subsets ?? []) {
    const ports = subset.ports?.length ? subset.ports : [undefined];
    for (const addr of subset.addresses ?? []) {
      for (const port of ports) all.push(port ? `${addr.ip}:${port.port}` : addr.ip);
    }
  }
  if (!all.length) return "<none>";
  const shown = all.slice(0, max).join(",");
  return all.length > max ? `${shown} + ${all.length - max} more...` : shown;
}

export const EndpointsResource: ResourceType<Endpoints> = {
  group: "",
  version: "v1",
  kind: "Endpoints",
  plural: "endpoints",
  singular: "endpoints",
  shortNames: ["ep"],
  namespaced: true,
  subresources: [],
  statusSubresource: false,
  ...admission("Endpoints", undefined, validateEndpoints),
  columns: [{ name: "ENDPOINTS", value: (e) => formatEndpoints(e) }, ageColumn()],
};
