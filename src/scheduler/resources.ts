// Resource amounts as the scheduler counts them: cpu in millicores, memory in
// bytes, any other resource (ephemeral-storage, nvidia.com/gpu, …) by name.
import { parseBytes, parseCpuMillis, parseQuantity } from "../api/quantity.ts";
import type { Container, ResourceList } from "../api/types.ts";

export interface Resources {
  milliCpu: number;
  memory: number;
  /** Every other resource; absent when there is none. */
  scalar?: Map<string, number>;
}

// What Kubernetes assumes a pod without requests uses, for scoring only, so
// that many request-less pods do not all land on one node.
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export function emptyResources(): Resources {
  return { milliCpu: 0, memory: 0 };
}

// Admission validates quantities; a value that still does not parse counts as
// zero rather than wedging the scheduler on one bad object.
function safe(parse: (s: string) => number, value: string): number {
  try {
    return parse(value);
  } catch {
    return 0;
  }
}

export function parseResourceList(list: ResourceList | undefined, skip?: string): Resources {
  const out = emptyResources();
  if (!list) return out;
  for (const [name, value] of Object.entries(list)) {
    if (name === skip) continue;
    if (name === "cpu") out.milliCpu = safe(parseCpuMillis, value);
    else if (name === "memory") out.memory = safe(parseBytes, value);
    else (out.scalar ??= new Map()).set(name, safe(parseQuantity, value));
  }
  return out;
}

export function addInto(target: Resources, r: Resources, sign = 1): void {
  target.milliCpu += sign * r.milliCpu;
  target.memory += sign * r.memory;
  if (!r.scalar) return;
  target.scalar ??= new Map();
  for (const [name, v] of r.scalar) target.scalar.set(name, (target.scalar.get(name) ?? 0) + sign * v);
}

function maxInto(target: Resources, r: Resources): void {
  target.milliCpu = Math.max(target.milliCpu, r.milliCpu);
  target.memory = Math.max(target.memory, r.memory);
  if (!r.scalar) return;
  target.scalar ??= new Map();
  for (const [name, v] of r.scalar) target.scalar.set(name, Math.max(target.scalar.get(name) ?? 0, v));
}

/** A container's request: `requests`, falling back to `limits` as the API server defaults it. */
function containerRequest(c: Container): Resources {
  return parseResourceList({ ...c.resources?.limits, ...c.resources?.requests });
}

/** What a pod asks of a node: the sum over its containers, or the largest init container if that is more. */
export function podRequests(containers: Container[], initContainers: Container[] = []): Resources {
  const sum = emptyResources();
  for (const c of containers) addInto(sum, containerRequest(c));
  for (const c of initContainers) maxInto(sum, containerRequest(c));
  return sum;
}
