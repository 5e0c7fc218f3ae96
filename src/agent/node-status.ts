// The agent's Node object: capacity read from the host (or declared by flags),
// labels, taints, addresses, node info and the four conditions. Building it is
// pure; reading the host (/proc/meminfo, statfs) is at the edge.
import { readFileSync, statfsSync } from "node:fs";
import { arch, cpus, hostname, platform, release } from "node:os";
import { isApiError } from "../api/errors.ts";
import { Nodes } from "../api/registry.ts";
import { getCondition, transitionTime } from "../api/meta.ts";
import type { Condition, Node, Taint, TaintEffect } from "../api/types.ts";
import type { Client } from "../client/client.ts";
import { logger } from "../util/log.ts";

const log = logger("agent/node");
type NodeCondition = "Ready" | "MemoryPressure" | "DiskPressure" | "PIDPressure";

export interface NodeConfig {
  nodeName: string;
  nodeIP: string;
  labels: Record<string, string>;
  taints: Taint[];
  /** Declared capacity ("4", "8Gi"); read from the host when absent. */
  cpu?: string;
  memory?: string;
  maxPods: number;
  kubeletPort: number;
  runtime: string;
}

export interface HostFacts {
  cpus: number;
  memTotalKi: number;
  memAvailableKi: number;
  diskAvailableFraction: number;
  pids: number;
  pidMax: number;
}

export function parseMemInfo(text: string): { totalKi: number; availableKi: number } {
  const get = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
  return { totalKi: get("MemTotal"), availableKi: get("MemAvailable") || get("MemFree") };
}

export function readHostFacts(dataDir: string): HostFacts {
  let mem = { totalKi: 0, availableKi: 0 };
  try {
    mem = parseMemInfo(readFileSync("/proc/meminfo", "utf8"));
  } catch {
    // Not Linux: leave memory unknown.
  }
  let diskAvailableFraction = 1;
  try {
    const s = statfsSync(dataDir);
    diskAvailableFraction = s.blocks > 0 ? s.bavail / s.blocks : 1;
  } catch {
    // Unknown: assume no pressure.
  }
  let pids = 0;
  let pidMax = 0;
  try {
    pids = Number(readFileSync("/proc/loadavg", "utf8").split(" ")[3]?.split("/")[1] ?? 0);
    pidMax = Number(readFileSync("/proc/sys/kernel/pid_max", "utf8").trim());
  } catch {
    // Unknown.
  }
  return { cpus: cpus().length || 1, memTotalKi: mem.totalKi, memAvailableKi: mem.availableKi, diskAvailableFraction, pids, pidMax };
}

/** "key=value:Effect" or "key:Effect" (the --node-taint flag). */
export function parseTaint(s: string): Taint {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(s.trim());
  if (!m) throw new Error(`invalid taint ${JSON.stringify(s)}: want key=value:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute`);
  return { key: m[1]!, ...(m[2] ? { value: m[2] } : {}), effect: m[3] as TaintEffect };
}

/** "k=v" (the --node-label flag). */
export function parseLabel(s: string): [string, string] {
  const i = s.indexOf("=");
  if (i <= 0) throw new Error(`invalid label ${JSON.stringify(s)}: want key=value`);
  return [s.slice(0, i), s.slice(i + 1)];
}

const MEMORY_PRESSURE_KI = 100 * 1024;
const DISK_PRESSURE_FRACTION = 0.1;
const PID_PRESSURE_FRACTION = 0.9;

function cond(old: Condition[] | undefined, type: NodeCondition, ok: boolean, reason: string, message: string, now: string): Condition {
  const status = ok ? "True" : "False";
  const prev = getCondition(old, type);
  return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: transitionTime(prev, status, now) };
}

export function nodeConditions(facts: HostFacts, old: Condition[] | undefined, now: string): Condition[] {
  const mem = facts.memTotalKi > 0 && facts.memAvailableKi < MEMORY_PRESSURE_KI;
  const disk = facts.diskAvailableFraction < DISK_PRESSURE_FRACTION;
  const pid = facts.pidMax > 0 && facts.pids / facts.pidMax > PID_PRESSURE_FRACTION;
  return [
    cond(old, "MemoryPressure", mem, mem ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory", mem ? "kubelet has insufficient memory available" : "kubelet has sufficient memory available", now),
    cond(old, "DiskPressure", disk, disk ? "KubeletHasDiskPressure" : "KubeletHasNoDiskPressure", disk ? "kubelet has disk pressure" : "kubelet has no disk pressure", now),
    cond(old, "PIDPressure", pid, pid ? "KubeletHasInsufficientPID" : "KubeletHasSufficientPID", pid ? "kubelet has insufficient PID available" : "kubelet has sufficient PID available", now),
    cond(old, "Ready", true, "KubeletReady", "kubelet is posting ready status", now),
  ];
}

/** Conditions differ in something but their heartbeat time. */
export function conditionsChanged(a: Condition[] | undefined, b: Condition[]): boolean {
  const strip = (cs: Condition[] | undefined) => JSON.stringify((cs ?? []).map(({ lastHeartbeatTime: _h, ...rest }) => rest));
  return strip(a) !== strip(b);
}

export function capacityOf(cfg: NodeConfig, facts: HostFacts): Record<string, string> {
  return {
    cpu: cfg.cpu ?? String(facts.cpus),
    memory: cfg.memory ?? `${facts.memTotalKi}Ki`,
    pods: String(cfg.maxPods),
  };
}

/** The Node as this agent declares it (metadata + spec), for create or for merging into the stored one. */
export function desiredNode(cfg: NodeConfig): Node {
  const goArch = arch() === "x64" ? "amd64" : arch() === "ia32" ? "386" : arch();
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: cfg.nodeName,
      labels: {
        "kubernetes.io/hostname": cfg.nodeName,
        "kubernetes.io/os": platform(),
        "kubernetes.io/arch": goArch,
        "beta.kubernetes.io/os": platform(),
        "beta.kubernetes.io/arch": goArch,
        ...cfg.labels,
      },
    },
    spec: cfg.taints.length ? { taints: cfg.taints } : {},
  };
}

/** Merge what the agent declares into the stored Node: our labels win, others' labels and taints stay. */
export function mergeNode(stored: Node, cfg: NodeConfig): Node {
  const want = desiredNode(cfg);
  const taints = [...(stored.spec?.taints ?? [])];
  for (const t of cfg.taints) if (!taints.some((x) => x.key === t.key && x.effect === t.effect)) taints.push(t);
  return {
    ...stored,
    metadata: { ...stored.metadata, labels: { ...stored.metadata.labels, ...want.metadata.labels } },
    spec: { ...stored.spec, ...(taints.length ? { taints } : {}) },
  };
}

export function nodeStatus(cfg: NodeConfig, facts: HostFacts, old: Node["status"], now: string): NonNullable<Node["status"]> {
  const capacity = capacityOf(cfg, facts);
  return {
    capacity,
    allocatable: { ...capacity },
    conditions: nodeConditions(facts, old?.conditions, now),
    addresses: [
      { type: "InternalIP", address: cfg.nodeIP },
      { type: "Hostname", address: cfg.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: cfg.kubeletPort } },
    nodeInfo: {
      machineID: "",
      systemUUID: "",
      bootID: "",
      kernelVersion: release(),
      osImage: `${platform()} (${hostname()})`,
      containerRuntimeVersion: `${cfg.runtime}://skiff`,
      kubeletVersion: "v1.30.0-skiff",
      kubeProxyVersion: "v1.30.0-skiff",
      operatingSystem: platform(),
      architecture: arch() === "x64" ? "amd64" : arch(),
    },
  };
}

// ---- I/O: registration and the status loop ----------------------------------

/** Create the Node, or merge our labels/taints into the existing one; then write its status. */
export async function registerNode(client: Client, cfg: NodeConfig, dataDir: string): Promise<Node> {
  let node: Node;
  try {
    node = await client.create<Node>(Nodes, desiredNode(cfg));
    log.info("registered node", { node: cfg.nodeName });
  } catch (err) {
    if (!isApiError(err, "AlreadyExists")) throw err;
    const stored = await client.get<Node>(Nodes, undefined, cfg.nodeName);
    node = await client.update<Node>(Nodes, mergeNode(stored, cfg));
  }
  node.status = nodeStatus(cfg, readHostFacts(dataDir), node.status, new Date().toISOString());
  return client.updateStatus<Node>(Nodes, node);
}

export interface NodeStatusLoopOptions {
  /** How often conditions are checked (a write happens only on change or every reportMs). */
  checkMs?: number;
  reportMs?: number;
}

/** Report the node's conditions when they change, and at a slow steady rate (flash-friendly). */
export function startNodeStatusLoop(client: Client, cfg: NodeConfig, dataDir: string, opts: NodeStatusLoopOptions = {}): { stop(): void } {
  const checkMs = opts.checkMs ?? 10_000;
  const reportMs = opts.reportMs ?? 300_000;
  let last: Node["status"];
  let lastWrite = Date.now();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    try {
      const now = new Date().toISOString();
      const facts = readHostFacts(dataDir);
      const next = nodeStatus(cfg, facts, last, now);
      const due = Date.now() - lastWrite >= reportMs;
      // Compared with the stored Node, not only with what this agent last wrote: the node
      // lifecycle controller sets Ready=Unknown while the agent is cut off, and a returning
      // agent must put Ready=True back at once, not at the next periodic report.
      const stored = await client.get<Node>(Nodes, undefined, cfg.nodeName);
      const fromStored = nodeConditions(facts, stored.status?.conditions, now);
      const storedChanged = conditionsChanged(stored.status?.conditions, fromStored);
      if (!last || due || storedChanged || conditionsChanged(last.conditions, next.conditions!) || JSON.stringify(last.capacity) !== JSON.stringify(next.capacity)) {
        next.conditions = fromStored;
        await client.updateStatus<Node>(Nodes, { ...stored, status: { ...stored.status, ...next } });
        last = next;
        lastWrite = Date.now();
      }
    } catch (err) {
      if (isApiError(err, "NotFound")) {
        log.warn("node object is gone; registering again", { node: cfg.nodeName });
        await registerNode(client, cfg, dataDir).catch((e) => log.warn("re-registration failed", { err: e }));
      } else {
        log.warn("node status update failed", { err });
      }
    }
    if (!stopped) {
      timer = setTimeout(tick, checkMs);
      timer.unref?.();
    }
  };
  timer = setTimeout(tick, checkMs);
  timer.unref?.();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
