// Host ports. Pods share the host network, so every declared container port is
// given a host port: its hostPort when set, otherwise one chosen from a range
// and checked really free by binding it (several agents may share one host).
// The mapping is reported in the pod's `status.hostPorts` (see docs/agent.md):
// the endpoints controller publishes hostIP:hostPort from it.
import type { Container, HostPortMapping, Pod } from "../api/types.ts";
import { envName } from "./env.ts";

export interface PortRange {
  min: number;
  max: number;
}

export const DEFAULT_HOST_PORT_RANGE: PortRange = { min: 20000, max: 29999 };

export function parsePortRange(s: string): PortRange {
  const m = /^(\d+)-(\d+)$/.exec(s.trim());
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (!m || min < 1 || max > 65535 || min > max) throw new Error(`invalid port range ${JSON.stringify(s)}: want MIN-MAX within 1-65535`);
  return { min, max };
}

export interface AllocateOptions {
  range: PortRange;
  /** Ports this agent already handed out (to other pods). */
  taken: Set<number>;
  /** Whether a port can be bound right now. */
  isFree: (port: number) => boolean;
  /** Where the search in the range starts (random in production so agents sharing a host rarely collide). */
  start?: number;
}

/** Thrown when no host port can be found; the pod waits with this message. */
export class PortError extends Error {}

/** A host port for every declared container port of every container. */
export function allocatePorts(pod: Pod, opts: AllocateOptions): HostPortMapping[] {
  const out: HostPortMapping[] = [];
  const taken = new Set(opts.taken);
  const size = opts.range.max - opts.range.min + 1;
  let cursor = opts.start ?? opts.range.min;
  const containers: Container[] = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      const protocol = p.protocol ?? "TCP";
      let hostPort = p.hostPort;
      if (hostPort === undefined || hostPort === 0) {
        hostPort = undefined;
        for (let i = 0; i < size; i++) {
          const candidate = opts.range.min + ((cursor - opts.range.min + i) % size);
          if (taken.has(candidate) || !opts.isFree(candidate)) continue;
          hostPort = candidate;
          cursor = candidate + 1;
          break;
        }
        if (hostPort === undefined) throw new PortError(`no free host port in ${opts.range.min}-${opts.range.max} for container port ${p.containerPort}`);
      } else if (taken.has(hostPort)) {
        throw new PortError(`host port ${hostPort} is already used by another pod on this node`);
      }
      taken.add(hostPort);
      out.push({ containerName: c.name, ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort, hostPort, protocol });
    }
  }
  return out;
}

/** PORT (the container's first port) and PORT_<NAME> for named ports. */
export function portEnv(mappings: HostPortMapping[], containerName: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of mappings) {
    if (m.containerName !== containerName) continue;
    if (env.PORT === undefined) env.PORT = String(m.hostPort);
    if (m.name) env[`PORT_${envName(m.name)}`] = String(m.hostPort);
  }
  return env;
}

/**
 * The host port serving a container port (a number or a port name) of a pod, from
 * its status; falls back to the number itself (the process may listen on it directly).
 */
export function podHostPort(pod: Pod, port: number | string, containerName?: string): number | undefined {
  const maps = (pod.status?.hostPorts ?? []).filter((m) => containerName === undefined || m.containerName === containerName);
  return resolvePort(maps, port);
}

export function resolvePort(maps: HostPortMapping[], port: number | string): number | undefined {
  if (typeof port === "string" && !/^\d+$/.test(port)) return maps.find((m) => m.name === port)?.hostPort;
  const n = Number(port);
  return maps.find((m) => m.containerPort === n)?.hostPort ?? n;
}

/** Can this port be bound on every address right now? */
export function portIsFree(port: number, protocol: "TCP" | "UDP" | "SCTP" = "TCP"): boolean {
  if (protocol !== "TCP") return true;
  try {
    const l = Bun.listen({ hostname: "0.0.0.0", port, socket: { data() {} } });
    l.stop(true);
    return true;
  } catch {
    return false;
  }
}
