// The process runtime: each container is a host process (like Nomad's exec
// driver) in its own session and process group, with stdout/stderr appended
// straight to a log file (no pipe to the agent, so it outlives the agent).
// Every container is recorded as a JSON file in the data dir, named by its pid
// and start time, so that a restarted agent adopts what still runs.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { logger } from "../../util/log.ts";
import { attachExtra, Cgroups, oomKilled, removeCgroup, type ContainerCgroup } from "./cgroups.ts";
import { groupAlive, isAlive, readProcStat, signalGroup } from "./proc.ts";
import type { ContainerConfig, ContainerExit, Runtime, RuntimeContainer, TerminationReason } from "./runtime.ts";

const log = logger("agent/process-runtime");

interface ContainerRecord extends RuntimeContainer {
  pidStartTime?: number;
  cgroup?: ContainerCgroup;
}

export interface ProcessRuntimeOptions {
  /** Where container records live (one JSON file each). */
  stateDir: string;
  /** How often adopted processes (not our children) are checked for exit. */
  adoptPollMs?: number;
  /** Name of the cgroup directory containers are put under. */
  cgroupGroup?: string;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

function fileName(id: string): string {
  return id.replace(/^process:\/\//, "").replace(/[^A-Za-z0-9_.-]/g, "_") + ".json";
}

export function exitReason(exitCode: number, oom: boolean): TerminationReason {
  if (oom) return "OOMKilled";
  return exitCode === 0 ? "Completed" : "Error";
}

export class ProcessRuntime implements Runtime {
  readonly name = "process";
  private readonly containers = new Map<string, ContainerRecord>();
  private readonly listeners: ((c: RuntimeContainer) => void)[] = [];
  /** Containers we spawned in this agent's lifetime: their exit code comes from waitpid. */
  private readonly children = new Set<string>();
  private readonly cgroups: Cgroups;
  private poller: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly opts: ProcessRuntimeOptions) {
    this.cgroups = new Cgroups(opts.cgroupGroup ?? "skiff");
  }

  async init(): Promise<void> {
    mkdirSync(this.opts.stateDir, { recursive: true });
    for (const f of readdirSync(this.opts.stateDir)) {
      if (!f.endsWith(".json")) continue;
      try {
        const rec = JSON.parse(readFileSync(join(this.opts.stateDir, f), "utf8")) as ContainerRecord;
        this.containers.set(rec.id, rec);
        if (!rec.exit) this.adopt(rec);
      } catch (err) {
        log.warn("skipping unreadable container record", { file: f, err });
      }
    }
    this.poller = setInterval(() => this.pollAdopted(), this.opts.adoptPollMs ?? 500);
    this.poller.unref?.();
  }

  private adopt(rec: ContainerRecord): void {
    if (rec.pid !== undefined && rec.pidStartTime !== undefined && isAlive(rec.pid, rec.pidStartTime)) {
      log.info("adopted running container", { pod: `${rec.podNamespace}/${rec.podName}`, container: rec.containerName, pid: rec.pid });
      return;
    }
    // It ended while no agent was watching: its exit code is lost.
    this.finish(rec, {
      exitCode: 137,
      reason: rec.cgroup && oomKilled(rec.cgroup) ? "OOMKilled" : "ContainerStatusUnknown",
      message: "the process ended while the agent was not running; its exit code is unknown",
      finishedAt: new Date().toISOString(),
    });
  }

  private pollAdopted(): void {
    for (const rec of this.containers.values()) {
      if (rec.exit || rec.pid === undefined || rec.pidStartTime === undefined) continue;
      if (this.children.has(rec.id)) continue;
      if (!isAlive(rec.pid, rec.pidStartTime)) this.adopt(rec);
    }
  }

  async start(config: ContainerConfig): Promise<RuntimeContainer> {
    const kind = config.init ? "init" : "app";
    const id = `process://${config.podUid}/${kind}/${config.containerName}/${config.attempt}`;
    const rec: ContainerRecord = {
      id,
      podUid: config.podUid,
      podNamespace: config.podNamespace,
      podName: config.podName,
      containerName: config.containerName,
      attempt: config.attempt,
      init: config.init,
      startedAt: new Date().toISOString(),
      logPath: config.logPath,
    };
    this.containers.set(id, rec);
    mkdirSync(dirname(config.logPath), { recursive: true });
    mkdirSync(config.workingDir, { recursive: true });
    rec.cgroup = this.cgroups.create(`${config.podUid}-${kind}-${config.containerName}-${config.attempt}`, config.limits);
    // O_APPEND: the file can be truncated in place for rotation while the process writes.
    const fd = openSync(config.logPath, "a");
    try {
      const proc = Bun.spawn({
        cmd: config.argv,
        cwd: config.workingDir,
        env: config.env,
        stdio: ["ignore", fd, fd],
        detached: true,
        ...(rec.cgroup ? { cgroup: rec.cgroup.spawnPath } : {}),
      });
      proc.unref();
      rec.pid = proc.pid;
      rec.pidStartTime = readProcStat(proc.pid)?.startTime;
      if (rec.cgroup) attachExtra(rec.cgroup, proc.pid);
      this.children.add(id);
      this.persist(rec);
      void proc.exited.then((code) => {
        this.children.delete(id);
        const signal = proc.signalCode ? SIGNALS[proc.signalCode] : undefined;
        const exitCode = signal !== undefined ? 128 + signal : code;
        const oom = rec.cgroup !== undefined && oomKilled(rec.cgroup);
        this.finish(rec, { exitCode, ...(signal !== undefined ? { signal } : {}), reason: exitReason(exitCode, oom), finishedAt: new Date().toISOString() });
      });
    } catch (err) {
      const message = `cannot start ${JSON.stringify(config.argv[0] ?? "")}: ${(err as Error).message}`;
      writeFileSync(config.logPath, message + "\n", { flag: "a" });
      this.finish(rec, { exitCode: 128, reason: "StartError", message, finishedAt: new Date().toISOString() });
    } finally {
      closeSync(fd);
    }
    return { ...rec };
  }

  private finish(rec: ContainerRecord, exit: ContainerExit): void {
    if (rec.exit) return;
    rec.exit = exit;
    // A container ends with its main process, as in a container runtime: what it left in its
    // process group is killed (a group id stays taken while it has members, so this is still ours).
    if (rec.pid !== undefined && groupAlive(rec.pid)) signalGroup(rec.pid, "SIGKILL");
    if (rec.cgroup) removeCgroup(rec.cgroup);
    this.persist(rec);
    log.info("container exited", { pod: `${rec.podNamespace}/${rec.podName}`, container: rec.containerName, exitCode: exit.exitCode, reason: exit.reason });
    for (const l of this.listeners) l({ ...rec });
  }

  private persist(rec: ContainerRecord): void {
    const path = join(this.opts.stateDir, fileName(rec.id));
    try {
      writeFileSync(path + ".tmp", JSON.stringify(rec));
      renameSync(path + ".tmp", path);
    } catch (err) {
      // The state dir is gone or full: keep running; adoption after a restart will miss this record.
      log.error("cannot persist container record", { container: rec.id, err });
    }
  }

  list(): RuntimeContainer[] {
    return [...this.containers.values()].map((r) => ({ ...r }));
  }

  async stop(id: string, graceMs: number): Promise<void> {
    const rec = this.containers.get(id);
    if (!rec || rec.pid === undefined) return;
    const pgid = rec.pid;
    const gone = () => (rec.exit !== undefined || rec.pidStartTime === undefined || !isAlive(pgid, rec.pidStartTime)) && !groupAlive(pgid);
    if (gone()) return;
    signalGroup(pgid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (!gone() && Date.now() < deadline) await Bun.sleep(Math.min(50, Math.max(1, deadline - Date.now())));
    if (!gone()) {
      log.info("grace period over; killing", { pod: `${rec.podNamespace}/${rec.podName}`, container: rec.containerName });
      signalGroup(pgid, "SIGKILL");
    }
    const killDeadline = Date.now() + 5000;
    while (!gone() && Date.now() < killDeadline) await Bun.sleep(20);
    // Adopted processes are polled; record their end now rather than at the next poll.
    if (!this.children.has(id)) this.pollAdopted();
    // Our own child: wait for waitpid's exit code to be recorded.
    const exitDeadline = Date.now() + 2000;
    while (!rec.exit && Date.now() < exitDeadline) await Bun.sleep(10);
  }

  async remove(id: string): Promise<void> {
    const rec = this.containers.get(id);
    if (!rec) return;
    if (!rec.exit) throw new Error(`container ${id} is still running`);
    this.containers.delete(id);
    rmSync(join(this.opts.stateDir, fileName(id)), { force: true });
  }

  onExit(listener: (c: RuntimeContainer) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
  }
}
