// The kubelet: watches the pods bound to this node and makes the runtime match
// them. Each pod is synced by one worker at a time (a de-duplicating work
// queue keyed by namespace/name): the pure plan (pod-plan.ts) says what to
// start or kill, the pure status (pod-status.ts) what to report; this file is
// the I/O around them — config building, runtime calls, status writes,
// termination, garbage collection.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isApiError } from "../api/errors.ts";
import { parseBytes, parseCpuMillis } from "../api/quantity.ts";
import { ConfigMaps, Pods, Secrets, Services } from "../api/registry.ts";
import type { ConfigMap, Container, HostPortMapping, Pod, Secret, Service } from "../api/types.ts";
import type { Client } from "../client/client.ts";
import { recordEvent } from "../client/events.ts";
import { Informer } from "../client/informer.ts";
import { WorkQueue } from "../client/workqueue.ts";
import { logger } from "../util/log.ts";
import { DEFAULT_BACKOFF, type BackoffConfig } from "./backoff.ts";
import { buildArgv, buildEnv, EnvError, type EnvLookups } from "./env.ts";
import { containerLogPath, DEFAULT_ROTATION, LogClock, rotateIfNeeded, type LogRotation } from "./logs.ts";
import type { LogSource } from "./log-server.ts";
import { attemptsOf, containerKey, planPod, type Plan, type Waiting } from "./pod-plan.ts";
import { PodCache } from "./pod-cache.ts";
import { computePodStatus } from "./pod-status.ts";
import { allocatePorts, DEFAULT_HOST_PORT_RANGE, PortError, portEnv, portIsFree, resolvePort, type PortRange } from "./ports.ts";
import { ProbeManager } from "./probes.ts";
import { StatusWriter } from "./status-writer.ts";
import type { ContainerConfig, ResourceLimits, Runtime, RuntimeContainer } from "./runtime/runtime.ts";
import { mountVolumes, podDirs, prepareVolumes, VolumeError, existingVolumePaths } from "./volumes.ts";

const log = logger("kubelet");
const COMPONENT = "kubelet";

export interface KubeletOptions {
  client: Client;
  runtime: Runtime;
  nodeName: string;
  nodeIP: string;
  dataDir: string;
  portRange?: PortRange;
  backoff?: BackoffConfig;
  rotation?: LogRotation;
  /** Log clock, rotation and back-off wake-ups (ms). */
  tickMs?: number;
  /** Every pod is re-synced this often (volumes refreshed, orphans swept). */
  resyncMs?: number;
  /** How long pod syncs wait for the ConfigMap/Secret/Service caches before going ahead anyway. */
  cacheWaitMs?: number;
  workers?: number;
}

const podKey = (ns: string, name: string) => `${ns}/${name}`;

function limitsOf(c: Container): ResourceLimits {
  const l = c.resources?.limits ?? {};
  const out: ResourceLimits = {};
  if (l.memory !== undefined) out.memoryBytes = parseBytes(l.memory);
  if (l.cpu !== undefined) out.cpuMillis = parseCpuMillis(l.cpu);
  return out;
}

export class Kubelet {
  private readonly client: Client;
  private readonly runtime: Runtime;
  private readonly pods: Informer<Pod>;
  private readonly configMaps: Informer<ConfigMap>;
  private readonly secrets: Informer<Secret>;
  private readonly services: Informer<Service>;
  private readonly queue = new WorkQueue<string>();
  private readonly statuses: StatusWriter;
  private readonly podCache: PodCache;
  /** Pods remembered from before a restart, used until the pod list has been read. */
  private offline = new Map<string, Pod>();
  private readonly probes: ProbeManager;
  readonly clock = new LogClock();
  private readonly backoff: BackoffConfig;
  private readonly rotation: LogRotation;
  private readonly portRange: PortRange;
  /** Pods whose containers are being stopped (uid). */
  private readonly terminating = new Set<string>();
  /** Containers being stopped after a failed probe or a deadline (runtime id). */
  private readonly stopping = new Set<string>();
  /** Why a container could not be started (config errors), by pod uid then container key. */
  private readonly startErrors = new Map<string, Map<string, Waiting>>();
  private readonly wakeTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly ports = new Map<string, HostPortMapping[]>();
  private timers: ReturnType<typeof setInterval>[] = [];
  private stopped = false;
  private startedAt = 0;

  constructor(private readonly opts: KubeletOptions) {
    this.client = opts.client;
    this.runtime = opts.runtime;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.rotation = opts.rotation ?? DEFAULT_ROTATION;
    this.portRange = opts.portRange ?? DEFAULT_HOST_PORT_RANGE;
    this.pods = new Informer<Pod>(this.client, Pods, { fieldSelector: `spec.nodeName=${opts.nodeName}` });
    this.configMaps = new Informer<ConfigMap>(this.client, ConfigMaps);
    this.secrets = new Informer<Secret>(this.client, Secrets);
    this.services = new Informer<Service>(this.client, Services);
    this.probes = new ProbeManager((uid) => this.enqueueUid(uid));
    this.statuses = new StatusWriter(this.client);
    this.podCache = new PodCache(opts.dataDir);
    this.loadPorts();
  }

  /** Host ports of pods from before a restart: never hand them out twice. */
  private loadPorts(): void {
    const root = join(this.opts.dataDir, "pods");
    if (!existsSync(root)) return;
    for (const uid of readdirSync(root)) {
      try {
        this.ports.set(uid, JSON.parse(readFileSync(join(root, uid, "ports.json"), "utf8")) as HostPortMapping[]);
      } catch {
        // No ports (or no such file): nothing reserved.
      }
    }
  }

  /** Start watching and syncing; does not wait for the API server (pods keep running without it). */
  start(): void {
    this.startedAt = Date.now();
    const enqueue = (p: Pod) => this.queue.add(podKey(p.metadata.namespace ?? "", p.metadata.name ?? ""));
    this.pods.on({
      add: enqueue,
      update: (_o, p) => enqueue(p),
      delete: (p) => {
        this.statuses.forget(p.metadata.namespace ?? "", p.metadata.name ?? "");
        enqueue(p);
      },
    });
    const resyncNamespace = (o: { metadata: { namespace?: string } }) => {
      for (const p of this.pods.list()) if (p.metadata.namespace === o.metadata.namespace) enqueue(p);
    };
    for (const inf of [this.configMaps, this.secrets]) inf.on({ add: resyncNamespace, update: (_o, x) => resyncNamespace(x) });
    for (const inf of [this.pods, this.configMaps, this.secrets, this.services] as Informer<never>[]) {
      void inf.start().catch((err) => log.error("informer failed", { err }));
    }
    this.runtime.onExit((c) => this.queue.add(podKey(c.podNamespace, c.podName)));
    for (let i = 0; i < (this.opts.workers ?? 8); i++) void this.worker();
    this.timers.push(setInterval(() => this.tick(), this.opts.tickMs ?? 1000));
    this.timers.push(setInterval(() => this.resync(), this.opts.resyncMs ?? 10_000));
    for (const t of this.timers) t.unref?.();
    // Until the pod list arrives, pods remembered from before keep being synced (static stability);
    // containers of pods we know nothing about are left alone.
    this.offline = this.podCache.load();
    for (const key of this.offline.keys()) this.queue.add(key);
    for (const c of this.runtime.list()) this.queue.add(podKey(c.podNamespace, c.podName));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const t of this.wakeTimers.values()) clearTimeout(t);
    this.queue.shutDown();
    this.statuses.stop();
    this.probes.close();
    for (const inf of [this.pods, this.configMaps, this.secrets, this.services] as Informer<never>[]) inf.stop();
  }

  hasSynced(): boolean {
    return this.pods.hasSynced();
  }

  private enqueueUid(uid: string): void {
    const c = this.runtime.list().find((x) => x.podUid === uid);
    if (c) this.queue.add(podKey(c.podNamespace, c.podName));
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.syncKey(key);
        this.queue.forget(key);
      } catch (err) {
        log.warn("pod sync failed; retrying", { pod: key, err });
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
      // Let I/O run between syncs: a burst of pods would otherwise start in one
      // long chain of microtasks while the status writes wait to be sent.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private tick(): void {
    for (const c of this.runtime.list()) {
      if (c.exit) continue;
      this.clock.observe(c.logPath);
      if (rotateIfNeeded(c.logPath, this.rotation)) this.clock.forget(c.logPath);
    }
  }

  private resync(): void {
    for (const p of this.pods.list()) this.queue.add(podKey(p.metadata.namespace ?? "", p.metadata.name ?? ""));
    void this.sweepOrphans();
  }

  /** Containers of pods that no longer exist here (deleted while we were away, force-deleted, rebound). */
  private async sweepOrphans(): Promise<void> {
    if (!this.pods.hasSynced()) return;
    const live = new Set(this.pods.list().map((p) => p.metadata.uid));
    const orphanUids = new Set(this.runtime.list().filter((c) => !live.has(c.podUid)).map((c) => c.podUid));
    for (const uid of orphanUids) {
      if (this.terminating.has(uid)) continue;
      log.info("removing containers of a pod that is gone", { uid });
      await this.killPod(uid, 2000);
      this.cleanupPod(uid);
    }
  }

  private cachesReady(): boolean {
    const synced = this.configMaps.hasSynced() && this.secrets.hasSynced() && this.services.hasSynced();
    return synced || Date.now() - this.startedAt > (this.opts.cacheWaitMs ?? 10_000);
  }

  private async syncKey(key: string): Promise<void> {
    if (this.stopped) return;
    if (!this.pods.hasSynced()) {
      const remembered = this.offline.get(key);
      if (remembered && !remembered.metadata.deletionTimestamp) await this.syncPod(remembered, remembered.metadata.uid ?? "");
      return;
    }
    this.offline.clear();
    const slash = key.indexOf("/");
    const pod = this.pods.get(key.slice(0, slash), key.slice(slash + 1));
    if (!pod) {
      // Deleted (or never ours): the sweep takes care of leftovers of any uid.
      return void this.sweepOrphans();
    }
    if (pod.spec.nodeName !== this.opts.nodeName) return;
    const uid = pod.metadata.uid ?? "";
    if (pod.metadata.deletionTimestamp) return this.terminate(pod);
    if (!this.cachesReady()) return this.queue.addAfter(key, 200);
    await this.syncPod(pod, uid);
  }

  private containersOf(uid: string): RuntimeContainer[] {
    return this.runtime.list().filter((c) => c.podUid === uid);
  }

  private async syncPod(pod: Pod, uid: string): Promise<void> {
    const errors = new Map<string, Waiting>();
    let hostPorts: HostPortMapping[] = [];
    let volumePaths: Map<string, string> | undefined;
    let blocked: Waiting | undefined;
    try {
      hostPorts = this.hostPortsFor(pod, uid);
    } catch (err) {
      if (!(err instanceof PortError)) throw err;
      blocked = { reason: "ContainerCreating", message: err.message };
    }
    try {
      volumePaths = prepareVolumes(pod, this.opts.dataDir, this.lookups(pod));
    } catch (err) {
      if (!(err instanceof VolumeError)) throw err;
      // Offline (no pod list yet, so no ConfigMaps/Secrets either): keep the files written before.
      if (!this.pods.hasSynced()) volumePaths = existingVolumePaths(pod, this.opts.dataDir);
      else blocked ??= { reason: "ContainerCreating", message: `MountVolume failed: ${err.message}` };
    }
    if (existsSync(podDirs(this.opts.dataDir, uid).pod)) this.podCache.save(pod);
    const plan = planPod({ pod, containers: this.containersOf(uid), probes: (id) => this.probes.view(id), now: Date.now(), backoff: this.backoff });
    for (const action of plan.actions) {
      if (action.type === "kill") {
        if (this.stopping.has(action.id)) continue;
        this.stopping.add(action.id);
        void this.event(pod, "Warning", action.reason, action.message);
        void this.event(pod, "Normal", "Killing", `Stopping container ${action.containerName}`);
        this.probes.forget(action.id);
        void this.runtime
          .stop(action.id, this.graceMs(pod))
          .catch((err) => log.warn("stop failed", { err }))
          .finally(() => this.stopping.delete(action.id));
        continue;
      }
      const key = containerKey(action.init, action.container.name);
      if (blocked) {
        errors.set(key, blocked);
        continue;
      }
      const failure = await this.startContainer(pod, action.container, action.init, action.attempt, hostPorts, volumePaths!);
      if (failure) errors.set(key, failure);
    }
    this.startErrors.set(uid, errors);
    this.ensureProbes(pod, uid, hostPorts);
    this.scheduleWake(pod, plan);
    this.collectGarbage(pod, uid);
    this.writeStatus(pod, uid, plan, hostPorts);
  }

  private graceMs(pod: Pod): number {
    return Math.max(0, pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
  }

  private lookups(pod: Pod): EnvLookups {
    const ns = pod.metadata.namespace ?? "default";
    return {
      configMap: (n, name) => this.configMaps.get(n, name),
      secret: (n, name) => this.secrets.get(n, name),
      services: this.services.list().filter((s) => s.metadata.namespace === ns),
      nodeIP: this.opts.nodeIP,
      extra: {},
      base: {},
    };
  }

  /** The pod's host ports: kept in the pod dir so that restarts (of containers or of the agent) keep them. */
  private hostPortsFor(pod: Pod, uid: string): HostPortMapping[] {
    const cached = this.ports.get(uid);
    if (cached) return cached;
    const file = join(podDirs(this.opts.dataDir, uid).pod, "ports.json");
    let maps: HostPortMapping[];
    if (existsSync(file)) {
      maps = JSON.parse(readFileSync(file, "utf8")) as HostPortMapping[];
    } else {
      const taken = new Set<number>();
      for (const m of this.ports.values()) for (const p of m) taken.add(p.hostPort);
      const size = this.portRange.max - this.portRange.min + 1;
      maps = allocatePorts(pod, { range: this.portRange, taken, isFree: (p) => portIsFree(p), start: this.portRange.min + Math.floor(Math.random() * size) });
      mkdirSync(podDirs(this.opts.dataDir, uid).pod, { recursive: true });
      writeFileSync(file, JSON.stringify(maps));
    }
    this.ports.set(uid, maps);
    return maps;
  }

  /** Build the container's config and start it; a Waiting when it cannot be started. */
  private async startContainer(pod: Pod, c: Container, init: boolean, attempt: number, hostPorts: HostPortMapping[], volumePaths: Map<string, string>): Promise<Waiting | undefined> {
    const uid = pod.metadata.uid ?? "";
    if (!c.command?.length && !c.args?.length) {
      const message = `container ${c.name} has no command: the process runtime runs command/args as a host process and does not pull images${c.image ? ` (image ${c.image} is ignored)` : ""}`;
      void this.event(pod, "Warning", "Failed", `Error: ${message}`);
      return { reason: "CreateContainerError", message };
    }
    const dirs = podDirs(this.opts.dataDir, uid);
    let env: Record<string, string>;
    let argv: string[];
    try {
      const volumeEnv = mountVolumes(c, dirs.root, volumePaths);
      const lk = this.lookups(pod);
      lk.base = { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", HOME: dirs.root, ...(process.env.LANG ? { LANG: process.env.LANG } : {}) };
      lk.extra = { ...portEnv(hostPorts, c.name), ...volumeEnv };
      env = buildEnv(pod, c, lk);
      argv = buildArgv(c, env);
    } catch (err) {
      if (!(err instanceof EnvError) && !(err instanceof VolumeError)) throw err;
      void this.event(pod, "Warning", "Failed", `Error: ${err.message}`);
      return { reason: "CreateContainerConfigError", message: err.message };
    }
    const config: ContainerConfig = {
      podUid: uid,
      podNamespace: pod.metadata.namespace ?? "",
      podName: pod.metadata.name ?? "",
      containerName: c.name,
      attempt,
      init,
      argv,
      env,
      workingDir: c.workingDir ? join(dirs.root, c.workingDir) : dirs.root,
      limits: limitsOf(c),
      logPath: containerLogPath(this.opts.dataDir, uid, init, c.name, attempt),
    };
    const started = await this.runtime.start(config);
    this.clock.observe(config.logPath);
    if (started.exit?.reason === "StartError") void this.event(pod, "Warning", "Failed", `Error: ${started.exit.message}`);
    else void this.event(pod, "Normal", "Started", `Started container ${c.name}${attempt ? ` (restart ${attempt})` : ""}`);
    return undefined;
  }

  private ensureProbes(pod: Pod, uid: string, hostPorts: HostPortMapping[]): void {
    const specs = new Map(pod.spec.containers.map((c) => [c.name, c]));
    for (const rc of this.containersOf(uid)) {
      const c = specs.get(rc.containerName);
      if (rc.init || rc.exit || this.stopping.has(rc.id) || !c || !(c.livenessProbe || c.readinessProbe || c.startupProbe)) continue;
      const maps = hostPorts.filter((m) => m.containerName === c.name);
      const reported = pod.status?.containerStatuses?.find((s) => s.containerID === rc.id);
      this.probes.ensure({
        id: rc.id,
        podUid: uid,
        wasReady: reported?.ready === true,
        wasStarted: reported?.started === true,
        ...(c.livenessProbe ? { liveness: c.livenessProbe } : {}),
        ...(c.readinessProbe ? { readiness: c.readinessProbe } : {}),
        ...(c.startupProbe ? { startup: c.startupProbe } : {}),
        target: {
          host: this.opts.nodeIP,
          port: (p) => resolvePort(maps.length ? maps : hostPorts, p),
          env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...portEnv(hostPorts, c.name) },
          cwd: podDirs(this.opts.dataDir, uid).root,
        },
      });
    }
  }

  private scheduleWake(pod: Pod, plan: Plan): void {
    const uid = pod.metadata.uid ?? "";
    clearTimeout(this.wakeTimers.get(uid));
    this.wakeTimers.delete(uid);
    if (plan.wakeAt === undefined) return;
    const t = setTimeout(() => {
      this.wakeTimers.delete(uid);
      this.queue.add(podKey(pod.metadata.namespace ?? "", pod.metadata.name ?? ""));
    }, Math.max(0, plan.wakeAt - Date.now()) + 5);
    t.unref?.();
    this.wakeTimers.set(uid, t);
    const first = [...plan.waiting.entries()].find(([, w]) => w.reason === "CrashLoopBackOff");
    if (first) void this.event(pod, "Warning", "BackOff", first[1].message ?? "Back-off restarting failed container");
  }

  /** Keep the last two attempts of each container (for --previous); forget older ones and their logs. */
  private collectGarbage(pod: Pod, uid: string): void {
    const all = this.containersOf(uid);
    const names = [...(pod.spec.initContainers ?? []).map((c) => [true, c.name] as const), ...pod.spec.containers.map((c) => [false, c.name] as const)];
    for (const [init, name] of names) {
      const attempts = attemptsOf(all, init, name);
      for (const old of attempts.slice(0, -2)) {
        if (!old.exit) continue;
        void this.runtime.remove(old.id);
        rmSync(old.logPath, { force: true });
        rmSync(`${old.logPath}.1`, { force: true });
        this.clock.forget(old.logPath);
      }
    }
  }

  private writeStatus(pod: Pod, uid: string, plan: Plan, hostPorts: HostPortMapping[]): void {
    const waiting = new Map(plan.waiting);
    for (const [k, w] of this.startErrors.get(uid) ?? []) waiting.set(k, w);
    const status = computePodStatus({
      pod,
      containers: this.containersOf(uid),
      probes: (id) => this.probes.view(id),
      waiting,
      hostPorts,
      nodeIP: this.opts.nodeIP,
      now: Date.now(),
      backoff: this.backoff,
    });
    this.statuses.set(pod, status);
  }


  // ---- termination -----------------------------------------------------------

  private async terminate(pod: Pod): Promise<void> {
    const uid = pod.metadata.uid ?? "";
    if (this.terminating.has(uid)) return;
    this.terminating.add(uid);
    try {
      const running = this.containersOf(uid).filter((c) => !c.exit);
      if (running.length) void this.event(pod, "Normal", "Killing", `Stopping container${running.length > 1 ? "s" : ""} ${running.map((c) => c.containerName).join(", ")}`);
      await this.killPod(uid, this.graceMs(pod));
      try {
        await this.client.delete(Pods, pod.metadata.namespace, pod.metadata.name ?? "", { gracePeriodSeconds: 0, preconditions: { uid } });
      } catch (err) {
        if (!isApiError(err, "NotFound") && !isApiError(err, "Conflict")) throw err;
      }
      this.cleanupPod(uid);
      this.statuses.forget(pod.metadata.namespace ?? "", pod.metadata.name ?? "");
      log.info("pod terminated", { pod: `${pod.metadata.namespace}/${pod.metadata.name}` });
    } finally {
      this.terminating.delete(uid);
    }
  }

  private async killPod(uid: string, graceMs: number): Promise<void> {
    const running = this.containersOf(uid).filter((c) => !c.exit);
    for (const c of running) this.probes.forget(c.id);
    await Promise.all(running.map((c) => this.runtime.stop(c.id, graceMs)));
  }

  private cleanupPod(uid: string): void {
    for (const c of this.containersOf(uid)) {
      this.probes.forget(c.id);
      if (c.exit) void this.runtime.remove(c.id);
    }
    const dirs = podDirs(this.opts.dataDir, uid);
    this.clock.forget(dirs.pod);
    rmSync(dirs.pod, { recursive: true, force: true });
    this.ports.delete(uid);
    this.podCache.forget(uid);
    this.startErrors.delete(uid);
    clearTimeout(this.wakeTimers.get(uid));
    this.wakeTimers.delete(uid);
  }

  private async event(pod: Pod, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    try {
      await recordEvent(this.client, pod, type, reason, message, COMPONENT);
    } catch (err) {
      log.debug("event not recorded", { reason, err });
    }
  }

  // ---- logs --------------------------------------------------------------------

  /** The log file of a container of a pod on this node (see log-server.ts), or why there is none. */
  resolveLog(namespace: string, name: string, container: string | undefined, previous: boolean): LogSource | string {
    const pod = this.pods.get(namespace, name);
    const all = this.runtime.list().filter((c) => c.podNamespace === namespace && c.podName === name && (!pod || c.podUid === pod.metadata.uid));
    if (!pod && all.length === 0) return `pod "${name}" not found on node ${this.opts.nodeName}`;
    let cname = container;
    if (!cname) {
      const names = pod ? pod.spec.containers.map((c) => c.name) : [...new Set(all.filter((c) => !c.init).map((c) => c.containerName))];
      if (names.length !== 1) return `a container name must be specified for pod ${name}, choose one of: [${names.join(" ")}]`;
      cname = names[0]!;
    }
    const isInit = !!pod?.spec.initContainers?.some((c) => c.name === cname) && !pod.spec.containers.some((c) => c.name === cname);
    const attempts = attemptsOf(all, isInit, cname);
    const target = previous ? attempts.at(-2) : attempts.at(-1);
    if (!target) {
      if (previous) return `previous terminated container "${cname}" in pod "${name}" not found`;
      if (pod && ![...pod.spec.containers, ...(pod.spec.initContainers ?? [])].some((c) => c.name === cname)) return `container ${cname} is not valid for pod ${name}`;
      return `container "${cname}" in pod "${name}" is waiting to start`;
    }
    const id = target.id;
    return { path: target.logPath, done: () => this.runtime.list().find((c) => c.id === id)?.exit !== undefined };
  }
}

