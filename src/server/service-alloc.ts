// Service addresses, allocated by the API server as in Kubernetes: a ClusterIP
// from the service CIDR (--service-cidr, default 10.43.0.0/16 like k3s) and a
// NodePort from 30000-32767 for every port of NodePort/LoadBalancer services.
// Taken addresses are read from the stored Services, so nothing needs
// releasing; allocations run one at a time (this is the only API server), so
// two concurrent creates never get the same address.
import { ApiError } from "../api/errors.ts";
import { NODE_PORT_RANGE } from "../api/kinds/service-admission.ts";
import { keyFor, prefixFor, Services } from "../api/registry.ts";
import type { ResourceType } from "../api/resource-type.ts";
import type { KubeObject, Service, StatusCause } from "../api/types.ts";
import type { Store } from "../store/store.ts";

export interface Cidr {
  text: string;
  /** First address as a 32-bit number. */
  base: number;
  size: number;
}

function ipToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** An IPv4 CIDR with room for at least a few services (prefix 8..29). */
export function parseCidr(text: string): Cidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  const ip = m ? ipToInt(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (ip === undefined || !(prefix >= 8 && prefix <= 29)) throw new Error(`invalid service CIDR ${JSON.stringify(text)}: expected an IPv4 CIDR with a prefix length of 8 to 29, e.g. 10.43.0.0/16`);
  const size = 2 ** (32 - prefix);
  return { text: text.trim(), base: ip - (ip % size), size };
}

export function inCidr(cidr: Cidr, ip: string): boolean {
  const n = ipToInt(ip);
  return n !== undefined && n >= cidr.base && n < cidr.base + cidr.size;
}

const hasNodePorts = (svc: Service) => svc.spec?.type === "NodePort" || svc.spec?.type === "LoadBalancer";

/**
 * Fill in `svc`'s ClusterIP and NodePorts (in place), given the other stored
 * Services; field errors for requested addresses that are taken or out of range.
 */
export function allocateService(svc: Service, old: Service | undefined, others: Service[], cidr: Cidr, random: () => number = Math.random): StatusCause[] {
  const spec = svc.spec;
  if (!spec || typeof spec !== "object") return [];
  const causes: StatusCause[] = [];
  const invalid = (field: string, value: unknown, message: string) => causes.push({ field, reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(value)}: ${message}` });

  if (spec.type !== "ExternalName" && spec.clusterIP !== "None" && !old?.spec?.clusterIP) {
    const taken = new Set(others.map((o) => o.spec?.clusterIP).filter((ip): ip is string => !!ip && ip !== "None"));
    if (spec.clusterIP) {
      if (!inCidr(cidr, spec.clusterIP)) invalid("spec.clusterIP", spec.clusterIP, `provided IP is not in the valid range. The range of valid IPs is ${cidr.text}`);
      else if (taken.has(spec.clusterIP)) invalid("spec.clusterIP", spec.clusterIP, "provided IP is already allocated");
    } else {
      // The network address, the first host (kept free, as Kubernetes keeps it for its own
      // Service) and the broadcast address are never handed out.
      const first = cidr.base + 2;
      const count = cidr.size - 3;
      const start = Math.floor(random() * count);
      for (let i = 0; i < count; i++) {
        const ip = intToIp(first + ((start + i) % count));
        if (taken.has(ip)) continue;
        spec.clusterIP = ip;
        break;
      }
      if (!spec.clusterIP) invalid("spec.clusterIP", "", `no free IP left in the service range ${cidr.text}`);
    }
    if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
  }

  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  if (!hasNodePorts(svc)) {
    // Switching from NodePort back to ClusterIP gives the node ports back.
    if (old && hasNodePorts(old)) for (const p of ports) delete p.nodePort;
    return causes;
  }
  const taken = new Set<number>();
  for (const o of others) for (const p of o.spec?.ports ?? []) if (p.nodePort) taken.add(p.nodePort);
  const kept = new Map((old?.spec?.ports ?? []).filter((p) => p.nodePort).map((p) => [`${p.port}/${p.protocol ?? "TCP"}`, p.nodePort!]));
  const mine = new Set<number>();
  ports.forEach((p, i) => {
    if (!p || typeof p !== "object") return;
    if (p.nodePort) {
      if (taken.has(p.nodePort)) invalid(`spec.ports[${i}].nodePort`, p.nodePort, "provided port is already allocated");
      mine.add(p.nodePort);
      return;
    }
    const previous = kept.get(`${p.port}/${p.protocol ?? "TCP"}`);
    if (previous && !taken.has(previous)) {
      p.nodePort = previous;
      mine.add(previous);
    }
  });
  const span = NODE_PORT_RANGE.max - NODE_PORT_RANGE.min + 1;
  ports.forEach((p, i) => {
    if (!p || typeof p !== "object" || p.nodePort) return;
    const start = Math.floor(random() * span);
    for (let k = 0; k < span; k++) {
      const port = NODE_PORT_RANGE.min + ((start + k) % span);
      if (taken.has(port) || mine.has(port)) continue;
      p.nodePort = port;
      mine.add(port);
      return;
    }
    invalid(`spec.ports[${i}].nodePort`, 0, `no free node port left in ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`);
  });
  return causes;
}

export class ServiceAllocator {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    readonly cidr: Cidr,
  ) {}

  /** Write `obj` through `write`; a core/v1 Service gets its addresses first, one Service at a time. */
  admit<T>(rt: ResourceType, obj: KubeObject, old: KubeObject | undefined, write: (obj: KubeObject) => Promise<T>): Promise<T> {
    if (rt !== Services) return write(obj);
    const run = this.tail.then(async () => {
      const key = keyFor(Services, obj.metadata.namespace, obj.metadata.name!);
      const { items } = await this.store.list(prefixFor(Services), { filter: (o) => keyFor(Services, o.metadata.namespace, o.metadata.name!) !== key });
      const causes = allocateService(obj as Service, old as Service | undefined, items as Service[], this.cidr);
      if (causes.length) throw ApiError.invalid("Service", obj.metadata.name ?? "", causes);
      return write(obj);
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}
