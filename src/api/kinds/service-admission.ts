// Service defaults and validation.
import type { Service, StatusCause } from "../types.ts";
import {
  dns1123SubdomainErrors,
  duplicate,
  forbidden,
  invalid,
  portNameErrors,
  required,
  validateEnum,
  validateLabels,
  validateMeta,
  validatePortNumber,
} from "../validation.ts";

export const NODE_PORT_RANGE = { min: 30000, max: 32767 };

export function defaultService(svc: Service): void {
  if (!svc.spec || typeof svc.spec !== "object") return;
  const spec = svc.spec;
  spec.type ??= "ClusterIP";
  spec.sessionAffinity ??= "None";
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    if (!p || typeof p !== "object") continue;
    p.protocol ??= "TCP";
    p.targetPort ??= p.port;
  }
}

const ipv4Re = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return ipv4Re.test(s);
}

export function isIP(s: string): boolean {
  return isIPv4(s) || (s.includes(":") && /^[0-9a-fA-F:.]+$/.test(s));
}

export function validateService(svc: Service, old?: Service): StatusCause[] {
  const causes = validateMeta(svc.metadata, old?.metadata, { namespaced: true, name: "dns1035" });
  const spec = svc.spec;
  if (!spec || typeof spec !== "object") return [...causes, required("spec")];
  causes.push(...validateEnum(spec.type, "spec.type", ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]));
  causes.push(...validateEnum(spec.sessionAffinity, "spec.sessionAffinity", ["None", "ClientIP"]));
  causes.push(...validateLabels(spec.selector, "spec.selector"));
  const headless = spec.clusterIP === "None";
  if (spec.clusterIP && !headless && !isIP(spec.clusterIP)) causes.push(invalid("spec.clusterIP", spec.clusterIP, "must be empty, 'None', or a valid IP address"));
  if (spec.type === "ExternalName") {
    if (!spec.externalName) causes.push(required("spec.externalName"));
    else for (const e of dns1123SubdomainErrors(spec.externalName)) causes.push(invalid("spec.externalName", spec.externalName, e));
  }
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  if (spec.ports !== undefined && !Array.isArray(spec.ports)) causes.push(invalid("spec.ports", spec.ports, "must be a list"));
  if (!ports.length && spec.type !== "ExternalName" && !headless) causes.push(required("spec.ports"));
  const names = new Set<string>();
  const ids = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    if (!p || typeof p !== "object") {
      causes.push(required(f));
      return;
    }
    if (ports.length > 1 && !p.name) causes.push(required(`${f}.name`));
    if (p.name) {
      for (const e of portNameErrors(p.name)) causes.push(invalid(`${f}.name`, p.name, e));
      if (names.has(p.name)) causes.push(duplicate(`${f}.name`, p.name));
      names.add(p.name);
    }
    causes.push(...validatePortNumber(p.port, `${f}.port`));
    causes.push(...validateEnum(p.protocol, `${f}.protocol`, ["TCP", "UDP", "SCTP"]));
    const id = `${p.port}/${p.protocol ?? "TCP"}`;
    if (ids.has(id)) causes.push(duplicate(f, { port: p.port, protocol: p.protocol ?? "TCP" }));
    ids.add(id);
    if (typeof p.targetPort === "string") {
      if (/^\d+$/.test(p.targetPort)) causes.push(...validatePortNumber(Number(p.targetPort), `${f}.targetPort`));
      else for (const e of portNameErrors(p.targetPort)) causes.push(invalid(`${f}.targetPort`, p.targetPort, e));
    } else if (p.targetPort !== undefined) {
      causes.push(...validatePortNumber(p.targetPort, `${f}.targetPort`));
    }
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (spec.type !== "NodePort" && spec.type !== "LoadBalancer") causes.push(forbidden(`${f}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      else if (typeof p.nodePort !== "number" || p.nodePort < NODE_PORT_RANGE.min || p.nodePort > NODE_PORT_RANGE.max) {
        causes.push(invalid(`${f}.nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`));
      } else {
        const np = `${p.nodePort}/${p.protocol ?? "TCP"}`;
        if (nodePorts.has(np)) causes.push(duplicate(`${f}.nodePort`, p.nodePort));
        nodePorts.add(np);
      }
    }
  });
  if (old?.spec?.clusterIP && spec.type !== "ExternalName" && old.spec.type !== "ExternalName" && spec.clusterIP !== old.spec.clusterIP) {
    causes.push(invalid("spec.clusterIP", spec.clusterIP ?? "", "field is immutable"));
  }
  return causes;
}
