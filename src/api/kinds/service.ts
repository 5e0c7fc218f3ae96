// core/v1 Service: the registry entry.
import type { ResourceType } from "../resource-type.ts";
import type { Service } from "../types.ts";
import { ageColumn, mapToString, orNone } from "./columns.ts";
import { defaultService, validateService } from "./service-admission.ts";
import { admission } from "./admission.ts";

function externalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  switch (spec.type) {
    case "ExternalName":
      return orNone(spec.externalName);
    case "LoadBalancer": {
      const ingress = svc.status?.loadBalancer?.ingress ?? [];
      const ips = ingress.map((i) => i.ip || i.hostname || "").filter(Boolean);
      return ips.length ? ips.join(",") : "<pending>";
    }
    default:
      return "<none>";
  }
}

function ports(svc: Service): string {
  const list = svc.spec?.ports ?? [];
  if (!list.length) return "<none>";
  return list.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`).join(",");
}

export const Services: ResourceType<Service> = {
  group: "",
  version: "v1",
  kind: "Service",
  plural: "services",
  singular: "service",
  shortNames: ["svc"],
  namespaced: true,
  subresources: ["status"],
  statusSubresource: true,
  ...admission("Service", defaultService, validateService),
  columns: [
    { name: "TYPE", value: (s) => s.spec?.type ?? "ClusterIP" },
    { name: "CLUSTER-IP", value: (s) => orNone(s.spec?.clusterIP) },
    { name: "EXTERNAL-IP", value: externalIP },
    { name: "PORT(S)", value: ports },
    ageColumn(),
    { name: "SELECTOR", priority: 1, value: (s) => orNone(mapToString(s.spec?.selector)) },
  ],
};
