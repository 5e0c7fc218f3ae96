// Resource limits through cgroups, where the host lets us write them. cgroup v2
// (one unified tree) is preferred; a v1 host with writable memory and cpu
// hierarchies works too. Without either, limits are not enforced (logged once).
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { logger } from "../../util/log.ts";
import type { ResourceLimits } from "./runtime.ts";

const log = logger("agent/cgroups");
const CPU_PERIOD_US = 100_000;

/** A container's cgroup directories (persisted, so that a restarted agent can still read and remove them). */
export interface ContainerCgroup {
  /** Passed to Bun.spawn's `cgroup`: the process joins it before it runs. The memory cgroup. */
  spawnPath: string;
  /** Other v1 hierarchies (cpu) the process joins right after the spawn. */
  extraPaths: string[];
}

/** Join the extra hierarchies: children forked later inherit them. */
export function attachExtra(cg: ContainerCgroup, pid: number): void {
  for (const dir of cg.extraPaths) tryWrite(join(dir, "cgroup.procs"), String(pid));
}

/** True when the kernel's OOM killer struck inside this cgroup. */
export function oomKilled(cg: ContainerCgroup): boolean {
  const events = readOr(join(cg.spawnPath, "memory.events"), "");
  if (events) return counter(events, "oom_kill") > 0;
  const control = readOr(join(cg.spawnPath, "memory.oom_control"), "");
  if (/^oom_kill \d+$/m.test(control)) return counter(control, "oom_kill") > 0;
  return Number(readOr(join(cg.spawnPath, "memory.failcnt"), "0")) > 0;
}

export function removeCgroup(cg: ContainerCgroup): void {
  for (const dir of [cg.spawnPath, ...cg.extraPaths]) {
    try {
      rmdirSync(dir);
    } catch {
      // Still has processes or already gone.
    }
  }
}

type Layout = { version: 2; root: string } | { version: 1; memory: string; cpu?: string };

function ownPath(controller: string): string {
  try {
    for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
      const [, controllers, path] = line.split(":");
      if (controllers === undefined || path === undefined) continue;
      if (controller === "" ? controllers === "" : controllers.split(",").includes(controller)) return path;
    }
  } catch {
    // No /proc: no cgroups.
  }
  return "/";
}

function writable(dir: string): boolean {
  const probe = join(dir, `.skiff-writable-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

/** The first candidate directory we may create children in. */
function pick(candidates: string[]): string | undefined {
  return candidates.find((d) => existsSync(d) && writable(d));
}

function detect(): Layout | undefined {
  const base = "/sys/fs/cgroup";
  if (existsSync(join(base, "cgroup.controllers"))) {
    const root = pick([join(base, ownPath("")), base]);
    if (root && readFileSync(join(root, "cgroup.controllers"), "utf8").includes("memory")) return { version: 2, root };
  }
  const memory = pick([join(base, "memory", ownPath("memory")), join(base, "memory")]);
  if (!memory) return undefined;
  const cpu = pick([join(base, "cpu", ownPath("cpu")), join(base, "cpu")]);
  return { version: 1, memory, cpu };
}

function tryWrite(path: string, value: string): boolean {
  try {
    writeFileSync(path, value);
    return true;
  } catch {
    return false;
  }
}

function counter(text: string, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

export class Cgroups {
  private layout: Layout | undefined | null = null;

  constructor(private readonly group = "skiff") {}

  private getLayout(): Layout | undefined {
    if (this.layout === null) {
      this.layout = detect();
      if (!this.layout) log.warn("no writable cgroup hierarchy: container cpu/memory limits are not enforced");
      else log.info("cgroups available", { version: this.layout.version });
    }
    return this.layout;
  }

  /** A cgroup for one container with its limits, or undefined when there are no limits or no cgroups. */
  create(name: string, limits: ResourceLimits): ContainerCgroup | undefined {
    if (limits.memoryBytes === undefined && limits.cpuMillis === undefined) return undefined;
    const layout = this.getLayout();
    if (!layout) return undefined;
    try {
      return layout.version === 2 ? this.createV2(layout.root, name, limits) : this.createV1(layout, name, limits);
    } catch (err) {
      log.warn("cannot create cgroup; running without limits", { name, err });
      return undefined;
    }
  }

  private createV2(root: string, name: string, limits: ResourceLimits): ContainerCgroup {
    const parent = join(root, this.group);
    mkdirSync(parent, { recursive: true });
    // Controllers must be enabled on the parent for the child to get the files.
    tryWrite(join(parent, "cgroup.subtree_control"), "+memory +cpu");
    const dir = join(parent, name);
    mkdirSync(dir, { recursive: true });
    if (limits.memoryBytes !== undefined) {
      writeFileSync(join(dir, "memory.max"), String(limits.memoryBytes));
      tryWrite(join(dir, "memory.swap.max"), "0");
    }
    if (limits.cpuMillis !== undefined) tryWrite(join(dir, "cpu.max"), `${Math.max(1000, Math.round((limits.cpuMillis * CPU_PERIOD_US) / 1000))} ${CPU_PERIOD_US}`);
    return { spawnPath: dir, extraPaths: [] };
  }

  private createV1(layout: { memory: string; cpu?: string }, name: string, limits: ResourceLimits): ContainerCgroup {
    const memDir = join(layout.memory, this.group, name);
    mkdirSync(memDir, { recursive: true });
    if (limits.memoryBytes !== undefined) {
      writeFileSync(join(memDir, "memory.limit_in_bytes"), String(limits.memoryBytes));
      tryWrite(join(memDir, "memory.memsw.limit_in_bytes"), String(limits.memoryBytes));
    }
    let cpuDir: string | undefined;
    if (layout.cpu && limits.cpuMillis !== undefined) {
      cpuDir = join(layout.cpu, this.group, name);
      mkdirSync(cpuDir, { recursive: true });
      tryWrite(join(cpuDir, "cpu.cfs_period_us"), String(CPU_PERIOD_US));
      tryWrite(join(cpuDir, "cpu.cfs_quota_us"), String(Math.max(1000, Math.round((limits.cpuMillis * CPU_PERIOD_US) / 1000))));
    }
    return { spawnPath: memDir, extraPaths: cpuDir ? [cpuDir] : [] };
  }
}
