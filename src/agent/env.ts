// A container's environment and argv, built the way the kubelet builds them:
// service variables first, then envFrom, then env (later wins); `$(VAR)` refers
// to variables defined before it (and `$$(VAR)` is a literal `$(VAR)`); an
// unknown `$(VAR)` stays as written. Pure: lookups are passed in.
import type { ConfigMap, Container, Pod, Secret, Service } from "../api/types.ts";

export interface EnvLookups {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  /** Services in the pod's namespace. */
  services: Service[];
  /** The node's IP: pods share the host network, so it is also the pod IP. */
  nodeIP: string;
  /** Variables the runtime adds (ports, volume paths) before the container's own. */
  extra: Record<string, string>;
  /** The agent's environment variables passed through (PATH, HOME, …). */
  base: Record<string, string>;
}

/** A missing ConfigMap/Secret/key: the container cannot start ("CreateContainerConfigError"). */
export class EnvError extends Error {}

/** Expand `$(VAR)` references against `vars`; `$$` escapes. */
export function expand(input: string, vars: Record<string, string>): string {
  let out = "";
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== "$" || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      out += "$";
      i++;
      continue;
    }
    if (next === "(") {
      const close = input.indexOf(")", i + 2);
      if (close >= 0) {
        const name = input.slice(i + 2, close);
        out += Object.hasOwn(vars, name) ? vars[name] : `$(${name})`;
        i = close;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

/** "my-svc" → "MY_SVC", as Kubernetes names service variables. */
export function envName(name: string): string {
  return name.toUpperCase().replace(/-/g, "_");
}

export function serviceEnv(services: Service[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    const ports = svc.spec?.ports ?? [];
    if (!ip || ip === "None" || ports.length === 0 || !svc.metadata.name) continue;
    const prefix = envName(svc.metadata.name);
    env[`${prefix}_SERVICE_HOST`] = ip;
    env[`${prefix}_SERVICE_PORT`] = String(ports[0]!.port);
    for (const p of ports) if (p.name) env[`${prefix}_SERVICE_PORT_${envName(p.name)}`] = String(p.port);
  }
  return env;
}

function fieldValue(pod: Pod, path: string, nodeIP: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === "labels" ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]!] ?? "";
  switch (path) {
    case "metadata.name": return pod.metadata.name ?? "";
    case "metadata.namespace": return pod.metadata.namespace ?? "";
    case "metadata.uid": return pod.metadata.uid ?? "";
    case "spec.nodeName": return pod.spec.nodeName ?? "";
    case "spec.serviceAccountName": return pod.spec.serviceAccountName ?? "default";
    case "status.podIP": case "status.podIPs": case "status.hostIP": case "status.hostIPs": return nodeIP;
    default: throw new EnvError(`unsupported fieldRef fieldPath ${JSON.stringify(path)}`);
  }
}

function decode(secretValue: string): string {
  return Buffer.from(secretValue, "base64").toString("utf8");
}

function keyOf(kind: "configmap" | "secret", ns: string, ref: { name: string; key: string; optional?: boolean }, data: Record<string, string> | undefined, found: boolean): string | undefined {
  if (!found) {
    if (ref.optional) return undefined;
    throw new EnvError(`${kind} "${ref.name}" not found in namespace "${ns}"`);
  }
  const v = data?.[ref.key];
  if (v === undefined && !ref.optional) throw new EnvError(`couldn't find key ${ref.key} in ${kind === "configmap" ? "ConfigMap" : "Secret"} ${ns}/${ref.name}`);
  return v;
}

/** The container's final environment; throws EnvError when a required reference is missing. */
export function buildEnv(pod: Pod, container: Container, lk: EnvLookups): Record<string, string> {
  const ns = pod.metadata.namespace ?? "default";
  const env: Record<string, string> = { ...lk.base, HOSTNAME: pod.metadata.name ?? "", ...serviceEnv(lk.services), ...lk.extra };
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? "";
    if (from.configMapRef) {
      const cm = lk.configMap(ns, from.configMapRef.name);
      if (!cm && !from.configMapRef.optional) throw new EnvError(`configmap "${from.configMapRef.name}" not found in namespace "${ns}"`);
      for (const [k, v] of Object.entries(cm?.data ?? {})) env[prefix + k] = v;
    }
    if (from.secretRef) {
      const s = lk.secret(ns, from.secretRef.name);
      if (!s && !from.secretRef.optional) throw new EnvError(`secret "${from.secretRef.name}" not found in namespace "${ns}"`);
      for (const [k, v] of Object.entries(s?.data ?? {})) env[prefix + k] = decode(v);
    }
  }
  for (const e of container.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) {
      env[e.name] = expand(e.value ?? "", env);
      continue;
    }
    let v: string | undefined;
    if (vf.fieldRef) v = fieldValue(pod, vf.fieldRef.fieldPath, lk.nodeIP);
    else if (vf.configMapKeyRef) {
      const cm = lk.configMap(ns, vf.configMapKeyRef.name);
      v = keyOf("configmap", ns, vf.configMapKeyRef, cm?.data, cm !== undefined);
    } else if (vf.secretKeyRef) {
      const s = lk.secret(ns, vf.secretKeyRef.name);
      const raw = keyOf("secret", ns, vf.secretKeyRef, s?.data, s !== undefined);
      v = raw === undefined ? undefined : decode(raw);
    } else if (vf.resourceFieldRef) {
      v = resourceField(container, vf.resourceFieldRef.resource);
    }
    if (v !== undefined) env[e.name] = v;
  }
  return env;
}

/** limits.cpu / limits.memory / requests.* as written in the spec ("" when unset). */
function resourceField(container: Container, resource: string): string {
  const [kind, name] = resource.split(".");
  const list = kind === "limits" ? container.resources?.limits : kind === "requests" ? container.resources?.requests : undefined;
  if (!list || !name) throw new EnvError(`unsupported resourceFieldRef resource ${JSON.stringify(resource)}`);
  return list[name] ?? "";
}

/** command + args with `$(VAR)` expanded; empty when the container has no command. */
export function buildArgv(container: Container, env: Record<string, string>): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])].map((s) => expand(s, env));
}
