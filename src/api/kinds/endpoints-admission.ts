// Endpoints validation.
import type { Endpoints, StatusCause } from "../types.ts";
import { invalid, portNameErrors, required, validateEnum, validateMeta, validatePortNumber } from "../validation.ts";
import { isIP } from "./service-admission.ts";

export function validateEndpoints(ep: Endpoints, old?: Endpoints): StatusCause[] {
  const causes = validateMeta(ep.metadata, old?.metadata, { namespaced: true, name: "subdomain" });
  (Array.isArray(ep.subsets) ? ep.subsets : []).forEach((s, i) => {
    const f = `subsets[${i}]`;
    for (const list of ["addresses", "notReadyAddresses"] as const) {
      (s?.[list] ?? []).forEach((a, j) => {
        if (!a?.ip) causes.push(required(`${f}.${list}[${j}].ip`));
        else if (!isIP(a.ip)) causes.push(invalid(`${f}.${list}[${j}].ip`, a.ip, "must be a valid IP address"));
      });
    }
    const ports = s?.ports ?? [];
    ports.forEach((p, j) => {
      const pf = `${f}.ports[${j}]`;
      if (ports.length > 1 && !p.name) causes.push(required(`${pf}.name`));
      if (p.name) for (const e of portNameErrors(p.name)) causes.push(invalid(`${pf}.name`, p.name, e));
      causes.push(...validatePortNumber(p.port, `${pf}.port`));
      causes.push(...validateEnum(p.protocol, `${pf}.protocol`, ["TCP", "UDP", "SCTP"]));
    });
  });
  return causes;
}
